#include "ui/TypedNameField.h"

#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace cachelens::ui {

TypedNameField::TypedNameField(const QString& connectionName, QWidget* parent)
    : QWidget(parent), m_connectionName(connectionName), m_edit(new QLineEdit(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* prompt = new QLabel(tr("<b>%1 is a production connection.</b> Type its name to confirm:")
                                  .arg(connectionName.toHtmlEscaped()), this);
    prompt->setWordWrap(true);
    m_edit->setObjectName(QStringLiteral("typedConnectionName"));
    m_edit->setPlaceholderText(connectionName);
    layout->addWidget(prompt);
    layout->addWidget(m_edit);
    connect(m_edit, &QLineEdit::textChanged, this, [this] { Q_EMIT matchChanged(matches()); });
}

bool TypedNameField::matches() const { return m_edit->text() == m_connectionName; }

Confirmation TypedNameField::confirmation() const { return Confirmation{m_edit->text()}; }

} // namespace cachelens::ui
