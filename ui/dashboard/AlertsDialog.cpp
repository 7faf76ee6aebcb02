#include "ui/dashboard/AlertsDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>

namespace cachelens::ui {

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
}

AlertsDialog::AlertsDialog(const AlertRules& rules, QWidget* parent)
    : QDialog(parent),
      m_below(new QCheckBox(tr("Hit rate below"), this)),
      m_belowPct(new QDoubleSpinBox(this)),
      m_drop(new QCheckBox(tr("Hit rate falls more than"), this)),
      m_dropPoints(new QDoubleSpinBox(this)),
      m_memory(new QCheckBox(tr("Memory above"), this)),
      m_memoryMiB(new QDoubleSpinBox(this))
{
    setWindowTitle(tr("Dashboard alerts"));
    setObjectName(QStringLiteral("alertsDialog"));
    auto* form = new QFormLayout(this);
    form->addRow(new QLabel(tr("Each connection is checked on every sample. An alert shows a banner, a desktop "
                               "notification where there is a tray, and a marker on the charts."), this));
    m_belowPct->setRange(0, 100);
    m_belowPct->setSuffix(tr(" %"));
    m_belowPct->setValue(rules.hitRateBelowPct);
    m_below->setChecked(rules.hitRateBelowEnabled);
    form->addRow(m_below, m_belowPct);
    m_dropPoints->setRange(0.5, 100);
    m_dropPoints->setSuffix(tr(" points below its 10-minute average"));
    m_dropPoints->setValue(rules.dropPoints);
    m_drop->setChecked(rules.dropEnabled);
    form->addRow(m_drop, m_dropPoints);
    m_memoryMiB->setRange(1, 16.0 * 1024 * 1024);
    m_memoryMiB->setDecimals(0);
    m_memoryMiB->setSuffix(tr(" MiB"));
    m_memoryMiB->setValue(rules.memoryAboveBytes / kMiB);
    m_memory->setChecked(rules.memoryAboveEnabled);
    form->addRow(m_memory, m_memoryMiB);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

AlertRules AlertsDialog::rules() const
{
    AlertRules r;
    r.hitRateBelowEnabled = m_below->isChecked();
    r.hitRateBelowPct = m_belowPct->value();
    r.dropEnabled = m_drop->isChecked();
    r.dropPoints = m_dropPoints->value();
    r.memoryAboveEnabled = m_memory->isChecked();
    r.memoryAboveBytes = m_memoryMiB->value() * kMiB;
    return r;
}

} // namespace cachelens::ui
