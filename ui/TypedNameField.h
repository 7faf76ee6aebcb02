#pragma once
// TypedNameField: on a production connection, the box where the user types the connection's name before a change
// is sent (delete, TTL, value edit, purge, tag invalidation, restore). What was typed travels with the request as
// its Confirmation, and the Source's guard checks it again (connectors/guard/ChangeGuard.h): this box is the
// question, not the lock. On other connections the dialogs do not show it, and confirmation() is empty.
#include "connectors/guard/ChangeGuard.h"

#include <QWidget>

class QLineEdit;

namespace cachelens::ui {

class TypedNameField : public QWidget
{
    Q_OBJECT
public:
    explicit TypedNameField(const QString& connectionName, QWidget* parent = nullptr);

    bool matches() const;
    QLineEdit* edit() const { return m_edit; }        // objectName "typedConnectionName"
    Confirmation confirmation() const;

Q_SIGNALS:
    void matchChanged(bool matches);

private:
    QString m_connectionName;
    QLineEdit* m_edit;
};

} // namespace cachelens::ui
