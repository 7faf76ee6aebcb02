#include "ui/dashboard/DashboardPanel.h"

#include "ui/Icons.h"
#include "ui/dashboard/AlertsDialog.h"
#include "ui/dashboard/DashboardPanel_p.h"

#include <QSettings>
#include <QSystemTrayIcon>
#include <QUrl>

// Alert rules: the defaults and each connection's own, kept in QSettings; raising an alert.

namespace cachelens::ui {

namespace {

const QString kDefaultsGroup = QStringLiteral("dashboard/alerts");
const QString kConnectionsGroup = QStringLiteral("dashboard/alertsByConnection");

// Connection ids may hold any character; QSettings groups must not see a '/' or a '\' inside a key.
QString settingsKey(const QString& sourceId)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(sourceId));
}

AlertRules readRules(QSettings& settings)
{
    AlertRules rules;
    rules.hitRateBelowEnabled = settings.value(QStringLiteral("hitRateBelowEnabled"), false).toBool();
    rules.hitRateBelowPct = settings.value(QStringLiteral("hitRateBelowPct"), rules.hitRateBelowPct).toDouble();
    rules.dropEnabled = settings.value(QStringLiteral("dropEnabled"), false).toBool();
    rules.dropPoints = settings.value(QStringLiteral("dropPoints"), rules.dropPoints).toDouble();
    rules.memoryAboveEnabled = settings.value(QStringLiteral("memoryAboveEnabled"), false).toBool();
    rules.memoryAboveBytes = settings.value(QStringLiteral("memoryAboveBytes"), rules.memoryAboveBytes).toDouble();
    return rules;
}

void writeRules(QSettings& settings, const AlertRules& rules)
{
    settings.setValue(QStringLiteral("hitRateBelowEnabled"), rules.hitRateBelowEnabled);
    settings.setValue(QStringLiteral("hitRateBelowPct"), rules.hitRateBelowPct);
    settings.setValue(QStringLiteral("dropEnabled"), rules.dropEnabled);
    settings.setValue(QStringLiteral("dropPoints"), rules.dropPoints);
    settings.setValue(QStringLiteral("memoryAboveEnabled"), rules.memoryAboveEnabled);
    settings.setValue(QStringLiteral("memoryAboveBytes"), rules.memoryAboveBytes);
}

} // namespace

void DashboardPanel::loadAlertRules()
{
    QSettings settings;
    settings.beginGroup(kDefaultsGroup);
    m_alertRules = readRules(settings);
    settings.endGroup();
    settings.beginGroup(kConnectionsGroup);
    m_ownAlertRules.clear();
    for (const QString& key : settings.childGroups()) {
        settings.beginGroup(key);
        m_ownAlertRules[QUrl::fromPercentEncoding(key.toLatin1())] = readRules(settings);
        settings.endGroup();
    }
}

AlertRules DashboardPanel::alertRules(const QString& sourceId) const
{
    const auto own = m_ownAlertRules.find(sourceId);
    return own != m_ownAlertRules.end() ? own->second : m_alertRules;
}

void DashboardPanel::setAlertRules(const AlertRules& rules)
{
    m_alertRules = rules;
    for (const auto& e : m_entries) {
        if (!hasOwnAlertRules(e->series->id())) {
            e->alerts.setRules(rules);
            e->alerts.reset();
        }
    }
    QSettings settings;
    settings.beginGroup(kDefaultsGroup);
    writeRules(settings, rules);
}

void DashboardPanel::setAlertRules(const QString& sourceId, const std::optional<AlertRules>& rules)
{
    QSettings settings;
    settings.beginGroup(kConnectionsGroup);
    if (rules) {
        m_ownAlertRules[sourceId] = *rules;
        settings.beginGroup(settingsKey(sourceId));
        writeRules(settings, *rules);
    } else {
        m_ownAlertRules.erase(sourceId);
        settings.remove(settingsKey(sourceId));
    }
    for (const auto& e : m_entries) {
        if (e->series->id() == sourceId) {
            e->alerts.setRules(alertRules(sourceId));
            e->alerts.reset();
        }
    }
}

void DashboardPanel::editAlertRules()
{
    // The connections on the charts, and those with rules of their own that are not shown now.
    QList<AlertsDialog::Connection> connections;
    QSet<QString> listed;
    for (const auto& e : m_entries) {
        if (e->isRecording() || listed.contains(e->series->id()))
            continue;
        listed.insert(e->series->id());
        const auto own = m_ownAlertRules.find(e->series->id());
        connections.append({e->series->id(), e->series->name(),
                            own != m_ownAlertRules.end() ? std::optional<AlertRules>(own->second) : std::nullopt});
    }
    for (const auto& [id, rules] : m_ownAlertRules) {
        if (!listed.contains(id))
            connections.append({id, id, rules});
    }
    auto* dialog = new AlertsDialog(m_alertRules, connections, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        setAlertRules(dialog->defaults());
        for (const AlertsDialog::Connection& c : dialog->connections())
            setAlertRules(c.id, c.own);
    });
    dialog->open();
}

void DashboardPanel::raiseAlert(const Alert& alert, const QString& sourceName)
{
    const QString message = describe(alert, sourceName);
    showBanner(message);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(themedIcon(nullptr, "cachelens"), this);
            m_tray->show();
        }
        m_tray->showMessage(tr("CacheLens alert"), message, QSystemTrayIcon::Warning);
    }
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(qint64(alert.time * 1000), Qt::UTC);
    for (const auto& e : m_entries) {
        if (e->series->name() == sourceName) {
            addMarker({0, e->series->id(), at, HistoryMarker::Kind::Alert, message});
            break;
        }
    }
    Q_EMIT alertRaised(message);
}
} // namespace cachelens::ui
