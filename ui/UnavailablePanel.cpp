#include "ui/UnavailablePanel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace cachelens::ui {

UnavailablePanel::UnavailablePanel(QString id, QString title, QIcon icon, const QString& explanation, QWidget* parent)
    : Panel(parent), m_id(std::move(id)), m_title(std::move(title)), m_icon(std::move(icon))
{
    setObjectName(m_id + QStringLiteral("Panel"));
    auto* layout = new QVBoxLayout(this);
    auto* iconLabel = new QLabel(this);
    iconLabel->setPixmap(m_icon.pixmap(48, 48));
    iconLabel->setAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    auto* heading = new QLabel(tr("<h2>%1 is not available yet</h2>").arg(m_title.toHtmlEscaped()), this);
    heading->setAlignment(Qt::AlignHCenter);
    auto* text = new QLabel(explanation, this);
    text->setObjectName(QStringLiteral("explanation"));
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addStretch(1);
    layout->addWidget(iconLabel);
    layout->addWidget(heading);
    layout->addWidget(text);
    layout->addStretch(2);
}

} // namespace cachelens::ui
