#pragma once
// Preferences stored in QSettings (organisation/application names are set once in app/).
#include "ui/Theme.h"

#include <QDialog>

class QComboBox;
class QCheckBox;

namespace cachelens::ui {

struct Preferences {
    ThemeChoice theme = ThemeChoice::System;
    bool restoreLayout = true;          // window geometry, docks and the last panel

    static Preferences load();          // from QSettings
    void save() const;
};

class PreferencesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PreferencesDialog(const Preferences& current, QWidget* parent = nullptr);
    Preferences preferences() const;

private:
    QComboBox* m_theme;
    QCheckBox* m_restoreLayout;
};

} // namespace cachelens::ui
