#pragma once
#include <QString>

#include <functional>

class QWidget;

namespace cachelens::ui {
// After `afterMs`, renders `window` (with its children, as the user sees it) to a PNG at `file` and calls `done`
// with the outcome: a sentence for the terminal.
void scheduleScreenshot(QWidget* window, const QString& file, int afterMs,
                        std::function<void(bool ok, const QString& message)> done);
} // namespace cachelens::ui
