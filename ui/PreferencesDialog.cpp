#include "ui/PreferencesDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSettings>
#include <QVBoxLayout>

namespace cachelens::ui {

Preferences Preferences::load()
{
    QSettings settings;
    Preferences p;
    p.theme = themeChoiceFromKey(settings.value(QStringLiteral("appearance/theme")).toString());
    p.restoreLayout = settings.value(QStringLiteral("window/restoreLayout"), true).toBool();
    return p;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("appearance/theme"), themeChoiceKey(theme));
    settings.setValue(QStringLiteral("window/restoreLayout"), restoreLayout);
}

PreferencesDialog::PreferencesDialog(const Preferences& current, QWidget* parent)
    : QDialog(parent), m_theme(new QComboBox(this)), m_restoreLayout(new QCheckBox(this))
{
    setWindowTitle(tr("Preferences"));
    setObjectName(QStringLiteral("preferencesDialog"));
    m_theme->setObjectName(QStringLiteral("theme"));
    m_theme->addItem(tr("Follow the system"), themeChoiceKey(ThemeChoice::System));
    m_theme->addItem(tr("Light"), themeChoiceKey(ThemeChoice::Light));
    m_theme->addItem(tr("Dark"), themeChoiceKey(ThemeChoice::Dark));
    m_theme->setCurrentIndex(m_theme->findData(themeChoiceKey(current.theme)));
    m_restoreLayout->setObjectName(QStringLiteral("restoreLayout"));
    m_restoreLayout->setText(tr("Restore window size, docks and last panel on start"));
    m_restoreLayout->setChecked(current.restoreLayout);

    auto* form = new QFormLayout;
    form->addRow(tr("&Appearance:"), m_theme);
    form->addRow(QString(), m_restoreLayout);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences p;
    p.theme = themeChoiceFromKey(m_theme->currentData().toString());
    p.restoreLayout = m_restoreLayout->isChecked();
    return p;
}

} // namespace cachelens::ui
