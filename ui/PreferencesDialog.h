#pragma once
// Preferences stored in QSettings (organisation/application names are set once in app/).
#include "ui/Theme.h"

#include <QDialog>

class QComboBox;
class QCheckBox;
class QSpinBox;

namespace cachelens::ui {

struct Preferences {
    ThemeChoice theme = ThemeChoice::System;
    bool restoreLayout = true;          // window geometry, docks and the last panel
    int historyRetentionDays = 7;       // dashboard samples and markers older than this are removed (1–3650)

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
    QSpinBox* m_retention;
};

} // namespace cachelens::ui
