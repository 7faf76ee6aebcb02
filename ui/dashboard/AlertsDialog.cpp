#include "ui/dashboard/AlertsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>

namespace cachelens::ui {

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
}

AlertsDialog::AlertsDialog(const AlertRules& defaults, const QList<Connection>& connections, QWidget* parent)
    : QDialog(parent),
      m_scope(new QComboBox(this)),
      m_own(new QCheckBox(tr("Rules of its own (otherwise the defaults apply)"), this)),
      m_below(new QCheckBox(tr("Hit rate below"), this)),
      m_belowPct(new QDoubleSpinBox(this)),
      m_drop(new QCheckBox(tr("Hit rate falls more than"), this)),
      m_dropPoints(new QDoubleSpinBox(this)),
      m_memory(new QCheckBox(tr("Memory above"), this)),
      m_memoryMiB(new QDoubleSpinBox(this)),
      m_defaults(defaults),
      m_connections(connections)
{
    setWindowTitle(tr("Dashboard alerts"));
    setObjectName(QStringLiteral("alertsDialog"));
    auto* form = new QFormLayout(this);
    auto* intro = new QLabel(tr("Each connection is checked on every sample. An alert shows a banner, a desktop "
                                "notification where there is a tray, and a marker on the charts."), this);
    intro->setWordWrap(true);
    form->addRow(intro);
    m_scope->setObjectName(QStringLiteral("alertScope"));
    m_scope->addItem(tr("Defaults (every connection without rules of its own)"));
    for (const Connection& c : std::as_const(m_connections))
        m_scope->addItem(c.name, c.id);
    form->addRow(tr("Rules for:"), m_scope);
    m_own->setObjectName(QStringLiteral("ownRules"));
    form->addRow(QString(), m_own);
    m_belowPct->setRange(0, 100);
    m_belowPct->setSuffix(tr(" %"));
    form->addRow(m_below, m_belowPct);
    m_dropPoints->setRange(0.5, 100);
    m_dropPoints->setSuffix(tr(" points below its 10-minute average"));
    form->addRow(m_drop, m_dropPoints);
    m_memoryMiB->setRange(1, 16.0 * 1024 * 1024);
    m_memoryMiB->setDecimals(0);
    m_memoryMiB->setSuffix(tr(" MiB"));
    form->addRow(m_memory, m_memoryMiB);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        storeForm();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);

    connect(m_scope, &QComboBox::currentIndexChanged, this, [this](int index) {
        storeForm();
        m_shown = index;
        showScope();
    });
    connect(m_own, &QCheckBox::toggled, this, [this](bool own) {
        if (m_shown == 0)
            return;
        Connection& c = m_connections[m_shown - 1];
        // Own rules start from the defaults; giving them up shows the defaults again.
        c.own = own ? std::optional<AlertRules>(c.own.value_or(m_defaults)) : std::nullopt;
        showScope();
    });
    showScope();
}

void AlertsDialog::selectScope(int index)
{
    m_scope->setCurrentIndex(index);
}

void AlertsDialog::setOwnRules(bool own)
{
    m_own->setChecked(own);
}

void AlertsDialog::setRules(const AlertRules& rules)
{
    m_below->setChecked(rules.hitRateBelowEnabled);
    m_belowPct->setValue(rules.hitRateBelowPct);
    m_drop->setChecked(rules.dropEnabled);
    m_dropPoints->setValue(rules.dropPoints);
    m_memory->setChecked(rules.memoryAboveEnabled);
    m_memoryMiB->setValue(rules.memoryAboveBytes / kMiB);
}

AlertRules AlertsDialog::formRules() const
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

void AlertsDialog::storeForm()
{
    if (m_shown == 0)
        m_defaults = formRules();
    else if (m_connections[m_shown - 1].own)
        m_connections[m_shown - 1].own = formRules();
}

void AlertsDialog::showScope()
{
    const bool connection = m_shown > 0;
    const bool own = connection && m_connections.at(m_shown - 1).own.has_value();
    {
        const QSignalBlocker block(m_own);
        m_own->setVisible(connection);
        m_own->setChecked(own);
    }
    setRules(own ? *m_connections.at(m_shown - 1).own : m_defaults);
    const bool editable = !connection || own;
    for (QWidget* w : {static_cast<QWidget*>(m_below), static_cast<QWidget*>(m_belowPct),
                       static_cast<QWidget*>(m_drop), static_cast<QWidget*>(m_dropPoints),
                       static_cast<QWidget*>(m_memory), static_cast<QWidget*>(m_memoryMiB)})
        w->setEnabled(editable);
}

AlertRules AlertsDialog::defaults() const
{
    return m_defaults;
}

QList<AlertsDialog::Connection> AlertsDialog::connections() const
{
    return m_connections;
}

} // namespace cachelens::ui
