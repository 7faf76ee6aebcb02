#pragma once
// Asks before a destructive invalidation (or a restore), saying what will change and where. On a production
// connection the user must type the connection's name; OK stays disabled until it matches exactly, and the typed name
// goes with the request (confirmation()) for the source's guard to check again.
#include "connectors/guard/ChangeGuard.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace cachelens::ui {

class TypedNameField;

class ConfirmPurgeDialog : public QDialog
{
    Q_OBJECT
public:
    // `what`: the sentence ("Delete 50,000 keys matching user:* from prod-cache?").
    ConfirmPurgeDialog(const QString& what, const QString& connectionName, bool production, QWidget* parent = nullptr);

    // The window title and OK button's text for other actions than a delete ("Confirm restore", "Restore").
    void setAction(const QString& title, const QString& button);

    QLineEdit* nameEdit() const;                       // null unless production
    QPushButton* okButton() const { return m_ok; }
    QString text() const;
    Confirmation confirmation() const;                 // what was typed (empty unless production)

private:
    QLabel* m_text;
    TypedNameField* m_name = nullptr;
    QPushButton* m_ok;
};

} // namespace cachelens::ui
