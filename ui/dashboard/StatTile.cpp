#include "ui/dashboard/StatTile.h"

#include <QLabel>
#include <QVBoxLayout>

namespace cachelens::ui {

StatTile::StatTile(const QString& caption, QWidget* parent)
    : QFrame(parent), m_caption(new QLabel(caption, this)), m_value(new QLabel(this)), m_change(new QLabel(this))
{
    setFrameShape(QFrame::StyledPanel);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(2);
    QFont big = m_value->font();
    big.setPointSizeF(big.pointSizeF() * 1.9);
    big.setBold(true);
    m_value->setFont(big);
    m_value->setObjectName(QStringLiteral("tileValue"));
    m_change->setObjectName(QStringLiteral("tileChange"));
    m_caption->setForegroundRole(QPalette::PlaceholderText);
    m_change->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_caption);
    layout->addWidget(m_value);
    layout->addWidget(m_change);
    setValue(QStringLiteral("—"), QString(), QString());
}

void StatTile::setValue(const QString& value, const QString& change, const QString& changeCaption)
{
    m_value->setText(value);
    m_change->setText(change.isEmpty() ? QStringLiteral(" ") : tr("%1 %2").arg(change, changeCaption));
}

QString StatTile::value() const
{
    return m_value->text();
}

QString StatTile::change() const
{
    return m_change->text().trimmed();
}

} // namespace cachelens::ui
