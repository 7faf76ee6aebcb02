#pragma once
// Asks before a destructive invalidation, saying what will be deleted and where. On a production connection the
// user must type the connection's name; OK stays disabled until it matches exactly.
#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace cachelens::ui {

class ConfirmPurgeDialog : public QDialog
{
    Q_OBJECT
public:
    // `what`: the sentence ("Delete 50,000 keys matching user:* from prod-cache?").
    ConfirmPurgeDialog(const QString& what, const QString& connectionName, bool production, QWidget* parent = nullptr);

    QLineEdit* nameEdit() const { return m_name; }     // null unless production
    QPushButton* okButton() const { return m_ok; }
    QString text() const;

private:
    QLabel* m_text;
    QLineEdit* m_name = nullptr;
    QPushButton* m_ok;
};

} // namespace cachelens::ui
