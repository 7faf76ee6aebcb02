#pragma once
// DeleteConfirmDialog: confirms a deletion, showing how many keys and a sample of them. On a connection marked
// production the user must type the connection's name before Delete is enabled.
#include <QDialog>

class QDialogButtonBox;
class QLineEdit;

namespace cachelens::ui {

class DeleteConfirmDialog : public QDialog
{
    Q_OBJECT
public:
    DeleteConfirmDialog(quint64 keyCount, const QStringList& sample, const QString& connectionName, bool production,
                        QWidget* parent = nullptr);
    bool requiresTypedName() const { return m_production; }
    QLineEdit* nameEdit() const { return m_name; }
    bool canConfirm() const;
    void accept() override;   // refused until the typed name matches

private:
    QString m_connectionName;
    bool m_production;
    QLineEdit* m_name = nullptr;
    QDialogButtonBox* m_buttons;
};

} // namespace cachelens::ui
