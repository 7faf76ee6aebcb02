#pragma once
#include <QIcon>

namespace cachelens::ui {
// The desktop theme's icon when it has one, our SVG from resources/cachelens.qrc otherwise.
QIcon themedIcon(const char* themeName, const char* resourceName);
QIcon appIcon();
} // namespace cachelens::ui
