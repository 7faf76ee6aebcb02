#pragma once
// TtlDialog: the TTL editor for one key, a selection or a namespace. Says first how many keys it will touch, shows a
// single key's remaining TTL counting down, and offers: expire in N seconds/minutes/hours/days, expire at a date
// and time, extend by (one key with a known TTL), or persist (no expiry). A TTL that is not positive is refused with
// the reason (Redis would delete the key), and offered as a delete instead: "Delete Instead…" closes this dialog and
// asks for the Delete action's own confirmation (typed name on production). On a production connection
// (requireTypedName) OK also waits for the connection's name, which goes with the request (confirmation()).
#include "connectors/guard/ChangeGuard.h"

#include <QDateTime>
#include <QDialog>

class QButtonGroup;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTimer;

namespace cachelens::ui {

class TypedNameField;

class TtlDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { ExpireIn, ExpireAt, ExtendBy, Persist };
    enum class Unit { Seconds, Minutes, Hours, Days };

    // currentTtlMs: the one key's remaining TTL (-1 no expiry, -2 unknown or several keys).
    TtlDialog(quint64 keyCount, const QString& what, qint64 currentTtlMs, QWidget* parent = nullptr);

    void requireTypedName(const QString& connectionName);   // a production connection
    Confirmation confirmation() const;
    void setMode(Mode mode);
    void setAmount(qint64 amount, Unit unit);
    void setExpireAt(const QDateTime& when);
    Mode mode() const;
    // The TTL to apply in ms (> 0), or -1 for persist; 0 when the input is refused (see problem()).
    qint64 ttlMs() const;
    QString problem() const;            // why OK is disabled, empty when it is not
    QString summary() const;            // "Set a TTL of 1 h on 1,234 keys"
    QPushButton* deleteInsteadButton() const { return m_deleteInstead; }   // shown while the TTL is refused

Q_SIGNALS:
    void deleteInsteadRequested();

private:
    void update();
    static qint64 unitMs(Unit unit);

    quint64 m_keyCount;
    qint64 m_currentTtlMs;
    QDateTime m_opened;
    QRadioButton* m_in;
    QRadioButton* m_at;
    QRadioButton* m_extend;
    QRadioButton* m_persist;
    QSpinBox* m_amount;
    QComboBox* m_unit;
    QDateTimeEdit* m_when;
    QLabel* m_current;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
    QPushButton* m_deleteInstead;
    QTimer* m_tick;
    TypedNameField* m_name = nullptr;
};

} // namespace cachelens::ui
