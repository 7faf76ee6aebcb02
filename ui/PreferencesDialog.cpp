#include "ui/PreferencesDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cachelens::ui {

Preferences Preferences::load()
{
    QSettings settings;
    Preferences p;
    p.theme = themeChoiceFromKey(settings.value(QStringLiteral("appearance/theme")).toString());
    p.restoreLayout = settings.value(QStringLiteral("window/restoreLayout"), true).toBool();
    p.historyRetentionDays = qBound(1, settings.value(QStringLiteral("history/retentionDays"), 7).toInt(), 3650);
    return p;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("appearance/theme"), themeChoiceKey(theme));
    settings.setValue(QStringLiteral("window/restoreLayout"), restoreLayout);
    settings.setValue(QStringLiteral("history/retentionDays"), historyRetentionDays);
}

PreferencesDialog::PreferencesDialog(const Preferences& current, QWidget* parent)
    : QDialog(parent), m_theme(new QComboBox(this)), m_restoreLayout(new QCheckBox(this)), m_retention(new QSpinBox(this))
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

    m_retention->setObjectName(QStringLiteral("historyRetentionDays"));
    m_retention->setRange(1, 3650);
    m_retention->setSuffix(tr(" days"));
    m_retention->setValue(current.historyRetentionDays);
    m_retention->setToolTip(tr("Dashboard samples and markers older than this are removed from history.db"));

    auto* form = new QFormLayout;
    form->addRow(tr("&Appearance:"), m_theme);
    form->addRow(QString(), m_restoreLayout);
    form->addRow(tr("Keep dashboard &history for:"), m_retention);
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
    p.historyRetentionDays = m_retention->value();
    return p;
}

} // namespace cachelens::ui
