#pragma once
// DeleteConfirmDialog: confirms a deletion, showing how many keys and a sample of them. On a connection marked
// production the user must type the connection's name before Delete is enabled; the typed name goes with the
// request (confirmation()) for the source's guard to check again.
#include "connectors/guard/ChangeGuard.h"

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;

namespace cachelens::ui {

class TypedNameField;

class DeleteConfirmDialog : public QDialog
{
    Q_OBJECT
public:
    DeleteConfirmDialog(quint64 keyCount, const QStringList& sample, const QString& connectionName, bool production,
                        QWidget* parent = nullptr);
    bool requiresTypedName() const { return m_production; }
    QLineEdit* nameEdit() const;
    bool canConfirm() const;
    Confirmation confirmation() const;
    void accept() override;   // refused until the typed name matches

private:
    bool m_production;
    TypedNameField* m_name = nullptr;
    QDialogButtonBox* m_buttons;
};

} // namespace cachelens::ui
