#include "ui/dashboard/AlertCenter.h"

#include "ui/Icons.h"
#include "ui/dashboard/AlertsDialog.h"
#include "ui/dashboard/SourceSeries.h"

#include <QSet>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QUrl>

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

AlertCenter::AlertCenter(QObject* parent) : QObject(parent)
{
    QSettings settings;
    settings.beginGroup(kDefaultsGroup);
    m_defaults = readRules(settings);
    settings.endGroup();
    settings.beginGroup(kConnectionsGroup);
    for (const QString& key : settings.childGroups()) {
        settings.beginGroup(key);
        m_own[QUrl::fromPercentEncoding(key.toLatin1())] = readRules(settings);
        settings.endGroup();
    }
}

AlertRules AlertCenter::rules(const QString& sourceId) const
{
    const auto own = m_own.find(sourceId);
    return own != m_own.end() ? own->second : m_defaults;
}

void AlertCenter::setRules(const AlertRules& defaults)
{
    m_defaults = defaults;
    for (auto& [id, evaluator] : m_watched) {
        if (!hasOwnRules(id)) {
            evaluator.setRules(defaults);
            evaluator.reset();
        }
    }
    QSettings settings;
    settings.beginGroup(kDefaultsGroup);
    writeRules(settings, defaults);
}

void AlertCenter::setRules(const QString& sourceId, const std::optional<AlertRules>& own)
{
    QSettings settings;
    settings.beginGroup(kConnectionsGroup);
    if (own) {
        m_own[sourceId] = *own;
        settings.beginGroup(settingsKey(sourceId));
        writeRules(settings, *own);
    } else {
        m_own.erase(sourceId);
        settings.remove(settingsKey(sourceId));
    }
    if (const auto it = m_watched.find(sourceId); it != m_watched.end()) {
        it->second.setRules(rules(sourceId));
        it->second.reset();
    }
}

void AlertCenter::watch(const QString& sourceId)
{
    m_watched[sourceId].setRules(rules(sourceId));
}

void AlertCenter::forget(const QString& sourceId)
{
    m_watched.erase(sourceId);
}

void AlertCenter::evaluate(const SourceSeries& series)
{
    const auto it = m_watched.find(series.id());
    if (it == m_watched.end() || !it->second.rules().any())
        return;
    for (const Alert& alert : it->second.evaluate(series.points()))
        raise(alert, series);
}

void AlertCenter::raise(const Alert& alert, const SourceSeries& series)
{
    const QString message = describe(alert, series.name());
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(themedIcon(nullptr, "cachelens"), this);
            m_tray->show();
        }
        m_tray->showMessage(tr("CacheLens alert"), message, QSystemTrayIcon::Warning);
    }
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(qint64(alert.time * 1000), Qt::UTC);
    Q_EMIT raised(message, HistoryMarker{0, series.id(), at, HistoryMarker::Kind::Alert, message});
}

void AlertCenter::edit(const QList<QPair<QString, QString>>& shown, QWidget* parent)
{
    // The connections on the charts, and those with rules of their own that are not shown now.
    QList<AlertsDialog::Connection> connections;
    QSet<QString> listed;
    for (const auto& [id, name] : shown) {
        if (listed.contains(id))
            continue;
        listed.insert(id);
        const auto own = m_own.find(id);
        connections.append({id, name, own != m_own.end() ? std::optional<AlertRules>(own->second) : std::nullopt});
    }
    for (const auto& [id, rules] : m_own) {
        if (!listed.contains(id))
            connections.append({id, id, rules});
    }
    auto* dialog = new AlertsDialog(m_defaults, connections, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        setRules(dialog->defaults());
        for (const AlertsDialog::Connection& c : dialog->connections())
            setRules(c.id, c.own);
    });
    dialog->open();
}

} // namespace cachelens::ui
