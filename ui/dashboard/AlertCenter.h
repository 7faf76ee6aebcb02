#pragma once
// AlertCenter: the dashboard's alert rules and their alerts. The defaults apply to every connection without rules of
// its own; both are kept in QSettings. Each watched series is evaluated at its newest point (AlertEvaluator: a rule
// fires once when its condition starts, and re-arms when it ends); an alert shows in the system tray and is raised()
// for the banner and the timeline.
#include "connectors/history/HistoryTypes.h"
#include "ui/dashboard/AlertRules.h"

#include <QList>
#include <QObject>
#include <QPair>

#include <map>
#include <optional>

class QSystemTrayIcon;
class QWidget;

namespace cachelens::ui {

class SourceSeries;

class AlertCenter : public QObject
{
    Q_OBJECT
public:
    explicit AlertCenter(QObject* parent = nullptr);   // reads the rules

    // A connection's own rules when it has them, otherwise the defaults (an empty id: the defaults).
    AlertRules rules(const QString& sourceId = {}) const;
    bool hasOwnRules(const QString& sourceId) const { return m_own.count(sourceId) > 0; }
    void setRules(const AlertRules& defaults);
    void setRules(const QString& sourceId, const std::optional<AlertRules>& own);   // nullopt: the defaults again

    void watch(const QString& sourceId);           // its series is evaluated from now on
    void forget(const QString& sourceId);
    void evaluate(const SourceSeries& series);     // at its newest point

    // The rules dialog (without a modal loop) for the connections shown (id, name) and those with rules of their own.
    void edit(const QList<QPair<QString, QString>>& shown, QWidget* parent);

Q_SIGNALS:
    void raised(const QString& message, const cachelens::HistoryMarker& marker);

private:
    void raise(const Alert& alert, const SourceSeries& series);

    AlertRules m_defaults;
    std::map<QString, AlertRules> m_own;           // by source id
    std::map<QString, AlertEvaluator> m_watched;   // by source id
    QSystemTrayIcon* m_tray = nullptr;
};

} // namespace cachelens::ui
