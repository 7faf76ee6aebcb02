#include "ui/dashboard/SourceSampler.h"

#include "connectors/Source.h"
#include "connectors/history/HistoryWriter.h"

#include <QColor>
#include <QLocale>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace cachelens::ui {

namespace {

QColor sourceColour(int index)   // distinguishable on light and dark backgrounds
{
    static const QColor colours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                                     QColor(0xff, 0x7f, 0x0e), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22),
                                     QColor(0x7f, 0x7f, 0x7f)};
    return colours[size_t(index) % std::size(colours)];
}

} // namespace

SourceSampler::SourceSampler(HistoryService* history, QObject* parent)
    : QObject(parent), m_history(history), m_pollTimer(new QTimer(this))
{
    qRegisterMetaType<StatsSample>();
    qRegisterMetaType<ConnectionState>();
    qRegisterMetaType<SourceError>();
    m_pollTimer->setInterval(1000);
    m_pollTimer->setTimerType(Qt::PreciseTimer);   // intervals feed rates: keep them even
    connect(m_pollTimer, &QTimer::timeout, this, &SourceSampler::poll);
    if (m_history)
        connect(m_history, &HistoryService::loaded, this, &SourceSampler::onHistoryLoaded);
}

SourceSampler::~SourceSampler() = default;

int SourceSampler::pollInterval() const
{
    return m_pollTimer->interval();
}

void SourceSampler::setPollInterval(int ms)
{
    m_pollTimer->setInterval(ms);
    for (const auto& w : m_watched)
        w->series->calculator().setExpectedInterval(ms / 1000.0);
}

void SourceSampler::setHitRateWindow(double seconds)
{
    m_hitRateWindow = seconds;
    for (const auto& w : m_watched)
        w->series->setHitRateWindow(seconds);
}

std::unique_ptr<SourceSeries> SourceSampler::newSeries(const QString& id, const QString& name)
{
    return std::make_unique<SourceSeries>(id, name, sourceColour(m_nextColour++), pollInterval() / 1000.0,
                                          m_hitRateWindow);
}

SourceSampler::Watched* SourceSampler::findSource(const Source* source)
{
    if (!source)
        return nullptr;   // recordings have no source
    for (const auto& w : m_watched)
        if (w->key == source)
            return w.get();
    return nullptr;
}

const SourceSampler::Watched* SourceSampler::find(const QString& seriesId) const
{
    for (const auto& w : m_watched)
        if (w->series->id() == seriesId)
            return w.get();
    return nullptr;
}

const SourceSeries* SourceSampler::series(const QString& seriesId) const
{
    const Watched* w = find(seriesId);
    return w ? w->series.get() : nullptr;
}

const SourceSeries* SourceSampler::first() const
{
    return m_watched.empty() ? nullptr : m_watched.front()->series.get();
}

QStringList SourceSampler::ids() const
{
    QStringList ids;
    for (const auto& w : m_watched)
        ids << w->series->id();
    return ids;
}

QStringList SourceSampler::nodeSeriesIds(const QString& seriesId) const
{
    QStringList ids;
    if (const Watched* w = find(seriesId))
        for (const auto& [node, series] : w->nodes)
            ids << series->id();
    return ids;
}

const SourceSeries* SourceSampler::nodeSeries(const QString& nodeSeriesId) const
{
    for (const auto& w : m_watched)
        for (const auto& [node, series] : w->nodes)
            if (series->id() == nodeSeriesId)
                return series.get();
    return nullptr;
}

std::vector<const SourceSeries*> SourceSampler::allNodeSeries() const
{
    std::vector<const SourceSeries*> out;
    for (const auto& w : m_watched)
        for (const auto& [node, series] : w->nodes)
            out.push_back(series.get());
    return out;
}

double SourceSampler::latestKey() const
{
    double upper = RateCalculator::nowKey();
    for (const auto& w : m_watched) {
        const double last = w->series->lastKey();
        if (!std::isnan(last))
            upper = std::max(upper, last);
    }
    return upper;
}

void SourceSampler::addSource(Source* source)
{
    if (!source || findSource(source))
        return;
    auto watched = std::make_unique<Watched>();
    watched->source = source;
    watched->key = source;
    // id() and displayName() are documented thread-safe and immutable, so reading them here is fine.
    watched->series = newSeries(source->id(), source->displayName());
    connect(source, &Source::statsSample, this, [this, source](const StatsSample& s) { onSample(source, s); });
    connect(source, &Source::stateChanged, this,
            [this, source](ConnectionState state, const QString&) { onSourceState(source, state); });
    connect(source, &Source::error, this, [this, source](quint64 requestId, const SourceError&) {
        if (Watched* w = findSource(source); w && requestId == 0)
            w->pending = false;   // sample() failed; the next tick may ask again
    });
    connect(source, &QObject::destroyed, this, [this, source] {
        const auto it = std::find_if(m_watched.begin(), m_watched.end(), [source](const auto& w) { return w->key == source; });
        if (it != m_watched.end())
            erase(it);
    });
    Watched& w = *watched;
    m_watched.push_back(std::move(watched));
    Q_EMIT seriesAdded(*w.series);
    if (m_history) {
        // The last day of this source, read on the history thread; live samples are not held back meanwhile.
        w.historyRequest = m_nextRequest++;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        m_history->load(w.historyRequest, w.series->id(), now.addSecs(-qint64(kKeepSeconds)), now);
        m_history->setSourceName(w.series->id(), w.series->name());   // the sessions view shows it
    }
    if (!m_pollTimer->isActive())
        m_pollTimer->start();
    poll();   // a baseline now, so the first rate comes one interval later instead of two
}

void SourceSampler::erase(std::vector<std::unique_ptr<Watched>>::iterator it)
{
    std::unique_ptr<Watched> gone = std::move(*it);
    m_watched.erase(it);
    if (gone->source)
        disconnect(gone->source, nullptr, this, nullptr);
    for (const auto& [node, series] : gone->nodes)
        Q_EMIT seriesRemoved(series->id());
    Q_EMIT seriesRemoved(gone->series->id());
    if (m_watched.empty())
        m_pollTimer->stop();
}

void SourceSampler::removeSource(Source* source)
{
    const auto it = std::find_if(m_watched.begin(), m_watched.end(), [source](const auto& w) { return w->key == source; });
    if (it != m_watched.end())
        erase(it);
}

void SourceSampler::clear()
{
    while (!m_watched.empty())
        erase(m_watched.end() - 1);
}

void SourceSampler::sampleNow()
{
    for (const auto& w : m_watched)
        w->pending = false;
    poll();
}

void SourceSampler::poll()
{
    for (const auto& w : m_watched) {
        if (!w->source)
            continue;
        // A source that has not answered the last request is not asked again until it is clearly stuck.
        if (w->pending && w->requested.elapsed() < 5 * pollInterval())
            continue;
        w->pending = true;
        w->requested.start();
        QMetaObject::invokeMethod(w->source.data(), &Source::sample, Qt::QueuedConnection);
    }
}

void SourceSampler::onSample(Source* source, const StatsSample& sample)
{
    Watched* w = findSource(source);
    if (!w)
        return;   // removed while the sample was queued
    w->pending = false;
    if (m_history)
        m_history->addSample(sample);
    SourceSeries& s = *w->series;
    std::vector<RatePoint> points;
    s.calculator().add(sample, points);
    s.append(points);
    s.removeBefore(RateCalculator::toKey(sample.time) - kKeepSeconds);
    for (const RatePoint& p : points) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(qint64(p.time * 1000), Qt::UTC);
        if (p.events & RatePoint::Restart)
            Q_EMIT serverEvent({0, s.id(), at, HistoryMarker::Kind::Restart, tr("%1 restarted").arg(s.name())});
        else if (p.events & RatePoint::StatsReset)
            Q_EMIT serverEvent({0, s.id(), at, HistoryMarker::Kind::StatsReset, tr("%1 stats reset").arg(s.name())});
        if (p.events & RatePoint::Flush)
            Q_EMIT serverEvent({0, s.id(), at, HistoryMarker::Kind::Flush, tr("%1 flushed").arg(s.name())});
    }
    if (!sample.nodes.isEmpty())
        applyNodeSamples(*w, sample);
    Q_EMIT sampled(s, sample, w == m_watched.front().get());
}

void SourceSampler::applyNodeSamples(Watched& w, const StatsSample& sample)
{
    for (const NodeStats& n : sample.nodes) {
        auto& series = w.nodes[n.node];
        if (!series) {
            series = newSeries(w.series->id() + QLatin1Char('/') + n.node, tr("%1 · %2").arg(w.series->name(), n.node));
            Q_EMIT nodeSeriesAdded(*series);
        }
        // A node's own figures, fed through its own calculator: the same rates, resets and gaps as a server.
        StatsSample ns;
        ns.sourceId = series->id();
        ns.time = sample.time;
        ns.hits = n.hits;
        ns.misses = n.misses;
        ns.evictions = n.evictions;
        ns.expirations = n.expirations;
        ns.commands = n.commands;
        ns.keys = n.keys;
        ns.memoryBytes = n.memoryBytes;
        ns.clients = n.clients;
        ns.opsPerSecond = n.opsPerSecond;
        ns.ownHits = n.ownHits;
        ns.ownMisses = n.ownMisses;
        ns.ownUncountable = n.ownUncountable;
        std::vector<RatePoint> points;
        series->calculator().add(ns, points);
        series->append(points);
        series->removeBefore(RateCalculator::toKey(sample.time) - kKeepSeconds);
    }
}

void SourceSampler::onSourceState(Source* source, ConnectionState state)
{
    Watched* w = findSource(source);
    if (!w || state == ConnectionState::Ready || state == ConnectionState::Connecting)
        return;
    w->pending = false;
    RatePoint gap;
    if (w->series->calculator().disconnected(RateCalculator::nowKey(), gap)) {
        w->series->append(gap);
        Q_EMIT gapMarked();
    }
}

const SourceSampler::Watched* SourceSampler::addRecording(const QString& id, const QString& title,
                                                          const HistoryStore::Recording& recording)
{
    if (const Watched* open = find(id))
        return open;
    if (!m_history)
        return nullptr;
    auto watched = std::make_unique<Watched>();
    watched->recordedSourceId = recording.sourceId;
    watched->recordingFrom = RateCalculator::toKey(recording.first);
    watched->recordingTo = RateCalculator::toKey(recording.last);
    watched->series = newSeries(id, title);
    watched->historyRequest = m_nextRequest++;
    m_history->load(watched->historyRequest, recording.sourceId, recording.first, recording.last);
    Watched& w = *watched;
    m_watched.push_back(std::move(watched));
    Q_EMIT seriesAdded(*w.series);
    return &w;
}

void SourceSampler::removeRecordings()
{
    for (auto it = m_watched.begin(); it != m_watched.end();) {
        if ((*it)->isRecording()) {
            const QString id = (*it)->series->id();
            it = m_watched.erase(it);
            Q_EMIT seriesRemoved(id);
        } else {
            ++it;
        }
    }
}

void SourceSampler::onHistoryLoaded(quint64 requestId, const QVector<StatsSample>& samples,
                                    const QVector<HistoryMarker>& markers)
{
    Watched* w = nullptr;
    for (const auto& candidate : m_watched)
        if (candidate->historyRequest == requestId && requestId != 0)
            w = candidate.get();
    if (!w)
        return;   // the source was removed meanwhile: a stale answer
    w->historyRequest = 0;
    SourceSeries& s = *w->series;
    // Replay the stored counters through a calculator of their own. Samples the live calculator already saw are
    // left to it.
    const double firstLive = s.points().empty() ? kNaN : s.points().front().time;
    RateCalculator replay(s.calculator().expectedInterval(), s.calculator().window());
    std::vector<RatePoint> past;
    for (const StatsSample& sample : samples) {
        if (!std::isnan(firstLive) && RateCalculator::toKey(sample.time) >= firstLive)
            break;
        replay.add(sample, past);
    }
    if (s.points().empty())
        s.calculator() = replay;   // the next live sample continues the past: a rate if it is recent, else a gap
    s.prepend(past);
    Q_EMIT pastLoaded(s.id(), markers, w->isRecording() ? w->recordedSourceId : s.id());
}

QString SourceSampler::lookupNote() const
{
    // An opened recording says so too: history.db keeps the server's counters only, so its figures are raw.
    const QLocale locale;
    QStringList notes;
    for (const auto& w : m_watched) {
        const std::deque<RatePoint>& points = w->series->points();
        const auto last = std::find_if(points.rbegin(), points.rend(), [](const RatePoint& p) { return p.interval > 0; });
        if (last == points.rend())
            continue;   // no rates yet
        const QString note = ownLookupNote(*last, locale);
        notes << (m_watched.size() > 1 ? tr("%1: %2").arg(w->series->name(), note) : note);
    }
    return notes.join(QStringLiteral("; "));
}

} // namespace cachelens::ui
