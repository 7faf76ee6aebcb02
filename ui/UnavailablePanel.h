#pragma once
// Stands in for a panel whose feature has not landed yet, and says so plainly: no fake data.
#include "ui/Panel.h"

#include <QIcon>

namespace cachelens::ui {

class UnavailablePanel : public Panel
{
    Q_OBJECT
public:
    UnavailablePanel(QString id, QString title, QIcon icon, const QString& explanation, QWidget* parent = nullptr);

    QString panelId() const override { return m_id; }
    QString title() const override { return m_title; }
    QIcon icon() const override { return m_icon; }

private:
    QString m_id;
    QString m_title;
    QIcon m_icon;
};

} // namespace cachelens::ui
