#include "ui/keys/DeleteConfirmDialog.h"

#include "ui/TypedNameField.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace cachelens::ui {

DeleteConfirmDialog::DeleteConfirmDialog(quint64 keyCount, const QStringList& sample, const QString& connectionName,
                                         bool production, QWidget* parent)
    : QDialog(parent),
      m_production(production),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("deleteConfirmDialog"));
    setWindowTitle(tr("Delete Keys"));
    const QLocale locale;
    auto* layout = new QVBoxLayout(this);
    auto* what = new QLabel(keyCount == 1 ? tr("Delete this key from %1?").arg(connectionName)
                                          : tr("Delete %1 keys from %2?").arg(locale.toString(keyCount), connectionName),
                            this);
    what->setObjectName(QStringLiteral("deleteSummary"));
    what->setWordWrap(true);
    layout->addWidget(what);
    QString list = sample.mid(0, 10).join(QLatin1Char('\n'));
    if (keyCount > quint64(std::min<qsizetype>(10, sample.size())))
        list += QLatin1Char('\n') + tr("… and %1 more").arg(locale.toString(keyCount - quint64(std::min<qsizetype>(10, sample.size()))));
    auto* keys = new QLabel(list, this);
    keys->setTextFormat(Qt::PlainText);
    keys->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(keys);
    QPushButton* del = m_buttons->addButton(tr("Delete"), QDialogButtonBox::DestructiveRole);
    del->setObjectName(QStringLiteral("confirmDeleteButton"));
    connect(del, &QPushButton::clicked, this, &QDialog::accept);
    if (production) {
        m_name = new TypedNameField(connectionName, this);
        layout->addWidget(m_name);
        del->setEnabled(false);
        connect(m_name, &TypedNameField::matchChanged, del, &QPushButton::setEnabled);
    }
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
}

bool DeleteConfirmDialog::canConfirm() const
{
    return !m_production || (m_name && m_name->matches());
}

QLineEdit* DeleteConfirmDialog::nameEdit() const { return m_name ? m_name->edit() : nullptr; }

Confirmation DeleteConfirmDialog::confirmation() const { return m_name ? m_name->confirmation() : Confirmation{}; }

void DeleteConfirmDialog::accept()
{
    if (canConfirm())
        QDialog::accept();
}

} // namespace cachelens::ui
