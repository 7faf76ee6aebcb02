#include "ui/Screenshot.h"

#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>
#include <QWidget>

namespace cachelens::ui {

void scheduleScreenshot(QWidget* window, const QString& file, int afterMs,
                        std::function<void(bool ok, const QString& message)> done)
{
    QTimer::singleShot(afterMs, window, [window, file, done = std::move(done)] {
        const QPixmap pixmap = window->grab();
        // A one-shot write on the way out of a --screenshot run; nothing else is waiting for the GUI thread.
        const QString absolute = QFileInfo(file).absoluteFilePath();
        if (pixmap.isNull()) {
            done(false, QObject::tr("cachelens: could not render the window"));
            return;
        }
        if (!QDir().mkpath(QFileInfo(absolute).absolutePath()) || !pixmap.save(absolute, "PNG")) {
            done(false, QObject::tr("cachelens: cannot write screenshot to %1").arg(absolute));
            return;
        }
        done(true, QObject::tr("cachelens: wrote %1 (%2×%3)").arg(absolute).arg(pixmap.width()).arg(pixmap.height()));
    });
}

} // namespace cachelens::ui
