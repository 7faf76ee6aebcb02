#include "ui/keys/TtlDialog.h"

#include "ui/TypedNameField.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace cachelens::ui {

namespace {

QString formatMs(qint64 ms)
{
    if (ms == -1)
        return TtlDialog::tr("no expiry");
    if (ms < 0)
        return TtlDialog::tr("unknown");
    qint64 s = (ms + 999) / 1000;
    const qint64 d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;
    s %= 60;
    if (d)
        return TtlDialog::tr("%1 d %2 h %3 min").arg(d).arg(h).arg(m);
    if (h)
        return TtlDialog::tr("%1 h %2 min %3 s").arg(h).arg(m).arg(s);
    if (m)
        return TtlDialog::tr("%1 min %2 s").arg(m).arg(s);
    return TtlDialog::tr("%1 s").arg(s);
}

} // namespace

TtlDialog::TtlDialog(quint64 keyCount, const QString& what, qint64 currentTtlMs, QWidget* parent)
    : QDialog(parent),
      m_keyCount(keyCount),
      m_currentTtlMs(currentTtlMs),
      m_opened(QDateTime::currentDateTime()),
      m_in(new QRadioButton(tr("Expire &in"), this)),
      m_at(new QRadioButton(tr("Expire &at"), this)),
      m_extend(new QRadioButton(tr("E&xtend by"), this)),
      m_persist(new QRadioButton(tr("&Persist (no expiry)"), this)),
      m_amount(new QSpinBox(this)),
      m_unit(new QComboBox(this)),
      m_when(new QDateTimeEdit(this)),
      m_current(new QLabel(this)),
      m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)),
      m_tick(new QTimer(this))
{
    setObjectName(QStringLiteral("ttlDialog"));
    setWindowTitle(tr("Set TTL"));
    const QLocale locale;
    auto* count = new QLabel(keyCount == 1 ? tr("Key: %1").arg(what)
                                           : tr("This changes the TTL of %1 keys (%2).").arg(locale.toString(keyCount), what),
                             this);
    count->setObjectName(QStringLiteral("ttlKeyCount"));
    count->setWordWrap(true);
    m_current->setObjectName(QStringLiteral("ttlCurrent"));
    m_problem->setObjectName(QStringLiteral("ttlProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c0392b"));

    m_amount->setObjectName(QStringLiteral("ttlAmount"));
    m_amount->setRange(-999999999, 999999999);
    m_amount->setValue(1);
    m_unit->setObjectName(QStringLiteral("ttlUnit"));
    m_unit->addItem(tr("seconds"), int(Unit::Seconds));
    m_unit->addItem(tr("minutes"), int(Unit::Minutes));
    m_unit->addItem(tr("hours"), int(Unit::Hours));
    m_unit->addItem(tr("days"), int(Unit::Days));
    m_unit->setCurrentIndex(2);
    m_when->setObjectName(QStringLiteral("ttlWhen"));
    m_when->setCalendarPopup(true);
    m_when->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_when->setDateTime(m_opened.addSecs(3600));
    m_in->setObjectName(QStringLiteral("ttlModeIn"));
    m_at->setObjectName(QStringLiteral("ttlModeAt"));
    m_extend->setObjectName(QStringLiteral("ttlModeExtend"));
    m_persist->setObjectName(QStringLiteral("ttlModePersist"));
    m_extend->setEnabled(keyCount == 1 && currentTtlMs >= 0);
    if (!m_extend->isEnabled())
        m_extend->setToolTip(tr("Extending needs one key with a known TTL"));
    m_in->setChecked(true);

    auto* grid = new QGridLayout;
    grid->addWidget(m_in, 0, 0);
    grid->addWidget(m_extend, 1, 0);
    grid->addWidget(m_amount, 0, 1, 2, 1);
    grid->addWidget(m_unit, 0, 2, 2, 1);
    grid->addWidget(m_at, 2, 0);
    grid->addWidget(m_when, 2, 1, 1, 2);
    grid->addWidget(m_persist, 3, 0, 1, 3);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(count);
    layout->addWidget(m_current);
    layout->addLayout(grid);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    m_deleteInstead = m_buttons->addButton(tr("&Delete Instead…"), QDialogButtonBox::DestructiveRole);
    m_deleteInstead->setObjectName(QStringLiteral("ttlDeleteInstead"));
    m_deleteInstead->setToolTip(tr("Close this and delete the keys instead (asks for confirmation)"));
    connect(m_deleteInstead, &QPushButton::clicked, this, [this] {
        Q_EMIT deleteInsteadRequested();
        reject();
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QRadioButton* b : {m_in, m_at, m_extend, m_persist})
        connect(b, &QRadioButton::toggled, this, &TtlDialog::update);
    connect(m_amount, &QSpinBox::valueChanged, this, &TtlDialog::update);
    connect(m_unit, &QComboBox::currentIndexChanged, this, &TtlDialog::update);
    connect(m_when, &QDateTimeEdit::dateTimeChanged, this, &TtlDialog::update);
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &TtlDialog::update);   // the countdown, and "at" turning into the past
    m_tick->start();
    update();
}

qint64 TtlDialog::unitMs(Unit unit)
{
    switch (unit) {
    case Unit::Seconds: return 1000;
    case Unit::Minutes: return 60 * 1000;
    case Unit::Hours: return 3600 * 1000;
    case Unit::Days: return 86400 * 1000;
    }
    return 1000;
}

void TtlDialog::setMode(Mode mode)
{
    switch (mode) {
    case Mode::ExpireIn: m_in->setChecked(true); break;
    case Mode::ExpireAt: m_at->setChecked(true); break;
    case Mode::ExtendBy: m_extend->setChecked(true); break;
    case Mode::Persist: m_persist->setChecked(true); break;
    }
    update();
}

void TtlDialog::setAmount(qint64 amount, Unit unit)
{
    m_unit->setCurrentIndex(m_unit->findData(int(unit)));
    m_amount->setValue(int(amount));
    update();
}

void TtlDialog::setExpireAt(const QDateTime& when)
{
    m_when->setDateTime(when);
    update();
}

TtlDialog::Mode TtlDialog::mode() const
{
    if (m_at->isChecked())
        return Mode::ExpireAt;
    if (m_extend->isChecked())
        return Mode::ExtendBy;
    if (m_persist->isChecked())
        return Mode::Persist;
    return Mode::ExpireIn;
}

qint64 TtlDialog::ttlMs() const
{
    const qint64 amount = qint64(m_amount->value()) * unitMs(Unit(m_unit->currentData().toInt()));
    qint64 ttl = 0;
    switch (mode()) {
    case Mode::Persist: return -1;
    case Mode::ExpireIn: ttl = amount; break;
    case Mode::ExpireAt: ttl = QDateTime::currentDateTime().msecsTo(m_when->dateTime()); break;
    case Mode::ExtendBy: {
        const qint64 elapsed = m_opened.msecsTo(QDateTime::currentDateTime());
        ttl = std::max<qint64>(0, m_currentTtlMs - elapsed) + amount;
        break;
    }
    }
    return ttl > 0 ? ttl : 0;
}

QString TtlDialog::problem() const
{
    if (mode() == Mode::Persist || ttlMs() > 0)
        return {};
    if (mode() == Mode::ExpireAt)
        return tr("That time is not in the future. A TTL of zero or less deletes the key at once; to delete, use "
                  "Delete Instead (it asks for confirmation).");
    return tr("A TTL must be positive. Zero or less deletes the key at once; to delete, use Delete Instead (it asks "
              "for confirmation).");
}

QString TtlDialog::summary() const
{
    const QLocale locale;
    const QString keys = m_keyCount == 1 ? tr("1 key") : tr("%1 keys").arg(locale.toString(m_keyCount));
    if (mode() == Mode::Persist)
        return tr("Remove the expiry of %1").arg(keys);
    return tr("Set a TTL of %1 on %2").arg(formatMs(ttlMs()), keys);
}

void TtlDialog::requireTypedName(const QString& connectionName)
{
    if (m_name)
        return;
    m_name = new TypedNameField(connectionName, this);
    auto* box = static_cast<QVBoxLayout*>(layout());
    box->insertWidget(box->indexOf(m_buttons), m_name);
    connect(m_name, &TypedNameField::matchChanged, this, &TtlDialog::update);
    update();
}

Confirmation TtlDialog::confirmation() const { return m_name ? m_name->confirmation() : Confirmation{}; }

void TtlDialog::update()
{
    const bool amountMode = m_in->isChecked() || m_extend->isChecked();
    m_amount->setEnabled(amountMode);
    m_unit->setEnabled(amountMode);
    m_when->setEnabled(m_at->isChecked());
    if (m_keyCount == 1) {
        const qint64 left = m_currentTtlMs >= 0 ? std::max<qint64>(0, m_currentTtlMs - m_opened.msecsTo(QDateTime::currentDateTime()))
                                                : m_currentTtlMs;
        m_current->setText(tr("Remaining now: %1").arg(formatMs(left)));
    } else {
        m_current->setText(QString());
    }
    const QString p = problem();
    m_problem->setText(p.isEmpty() ? summary() : p);
    m_problem->setStyleSheet(p.isEmpty() ? QString() : QStringLiteral("color: #c0392b"));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(p.isEmpty() && (!m_name || m_name->matches()));
    m_deleteInstead->setVisible(!p.isEmpty());
}

} // namespace cachelens::ui
