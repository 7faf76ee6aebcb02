#pragma once
// Light and dark palettes. "System" keeps the palette the platform theme gives (it follows the desktop's light/dark
// setting on GNOME/KDE through Qt's platform theme plugins) and only switches to the Fusion style when that palette is
// dark, so our own painting stays legible; "Light"/"Dark" force a palette.
#include <QPalette>
#include <QString>

class QApplication;

namespace cachelens::ui {

enum class ThemeChoice { System, Light, Dark };

QString themeChoiceKey(ThemeChoice choice);                 // "system" / "light" / "dark" (QSettings value)
ThemeChoice themeChoiceFromKey(const QString& key);         // unknown → System

QPalette lightPalette();
QPalette darkPalette();
bool isDark(const QPalette& palette);

// Applies the choice to the application (palette, and Fusion style for forced palettes). Remembers the platform's
// own palette the first time it is called so "System" can go back to it.
void applyTheme(QApplication& app, ThemeChoice choice);

} // namespace cachelens::ui
