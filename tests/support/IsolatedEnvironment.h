#pragma once
// Include in a test's .cpp (once) to run it with its own empty XDG config/data/cache/runtime directories, so tests
// never read or write the developer's real settings, history or audit databases, and Qt does not warn about a
// missing XDG_RUNTIME_DIR. The directories are created before main() (before the QApplication exists) and
// removed at exit.
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtGlobal>

namespace cachelens::test {

struct IsolatedEnvironment {
    QTemporaryDir root;
    IsolatedEnvironment()
    {
        for (const char* name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"}) {
            const QString dir = root.filePath(QString::fromLatin1(name));
            QDir().mkpath(dir);
            QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            qputenv(name, QFile::encodeName(dir));
        }
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
};

inline const IsolatedEnvironment isolatedEnvironment;

// The application's settings file as written now (empty when it cannot be read): to prove a secret never reached it.
inline QByteArray settingsFileText()
{
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace cachelens::test
