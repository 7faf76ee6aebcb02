#include "ui/keys/DeleteConfirmDialog.h"

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
      m_connectionName(connectionName),
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
        auto* prompt = new QLabel(tr("%1 is a production connection. Type its name to confirm:").arg(connectionName), this);
        prompt->setWordWrap(true);
        layout->addWidget(prompt);
        m_name = new QLineEdit(this);
        m_name->setObjectName(QStringLiteral("typedConnectionName"));
        m_name->setPlaceholderText(connectionName);
        layout->addWidget(m_name);
        del->setEnabled(false);
        connect(m_name, &QLineEdit::textChanged, this, [this, del] { del->setEnabled(canConfirm()); });
    }
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
}

bool DeleteConfirmDialog::canConfirm() const
{
    return !m_production || (m_name && m_name->text() == m_connectionName);
}

void DeleteConfirmDialog::accept()
{
    if (canConfirm())
        QDialog::accept();
}

} // namespace cachelens::ui
