#include "ui/invalidate/ConfirmPurgeDialog.h"

#include "ui/TypedNameField.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace cachelens::ui {

ConfirmPurgeDialog::ConfirmPurgeDialog(const QString& what, const QString& connectionName, bool production, QWidget* parent)
    : QDialog(parent), m_text(new QLabel(what, this))
{
    setWindowTitle(tr("Confirm invalidation"));
    m_text->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Delete"));
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    if (production) {
        m_name = new TypedNameField(connectionName, this);
        layout->addWidget(m_name);
        m_ok->setEnabled(false);
        connect(m_name, &TypedNameField::matchChanged, m_ok, &QPushButton::setEnabled);
    }
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QString ConfirmPurgeDialog::text() const { return m_text->text(); }

QLineEdit* ConfirmPurgeDialog::nameEdit() const { return m_name ? m_name->edit() : nullptr; }

Confirmation ConfirmPurgeDialog::confirmation() const { return m_name ? m_name->confirmation() : Confirmation{}; }

void ConfirmPurgeDialog::setAction(const QString& title, const QString& button)
{
    setWindowTitle(title);
    m_ok->setText(button);
}

} // namespace cachelens::ui
