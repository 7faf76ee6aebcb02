#pragma once
// Turns every Qt warning emitted while a guard is alive into a test failure, except platform noise that the
// offscreen QPA plugin prints and that a user on a real display never sees.
#include <QStringList>
#include <QtGlobal>

namespace cachelens::test {

class WarningGuard
{
public:
    WarningGuard() { s_warnings.clear(); s_previous = qInstallMessageHandler(&handler); }
    ~WarningGuard() { qInstallMessageHandler(s_previous); }
    WarningGuard(const WarningGuard&) = delete;
    WarningGuard& operator=(const WarningGuard&) = delete;

    QStringList warnings() const { return s_warnings; }

private:
    static void handler(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        // offscreen plugin: QDockWidget asks the platform window for size-hint propagation, which it lacks.
        static const QStringList kPlatformNoise{QStringLiteral("This plugin does not support propagateSizeHints()")};
        if (type != QtDebugMsg && type != QtInfoMsg && !kPlatformNoise.contains(message))
            s_warnings << message;
        if (s_previous)
            s_previous(type, context, message);
    }
    static inline QStringList s_warnings;
    static inline QtMessageHandler s_previous = nullptr;
};

} // namespace cachelens::test
