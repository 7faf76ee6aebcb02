#include "connectors/RedisSource.h"

#include "connectors/invalidate/GlobCheck.h"
#include "connectors/invalidate/PurgeSnapshot.h"
#include "connectors/invalidate/RedisSnapshotRestore.h"
#include "connectors/invalidate/RedisTagInvalidation.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/provider/TagKeys.h"
#include "connectors/redis/ClusterSlots.h"
#include "connectors/redis/ClusterClient.h"
#include "connectors/redis/PatternPurge.h"
#include "connectors/redis/KeyCommands.h"
#include "connectors/redis/KeyScanner.h"
#include "connectors/redis/SentinelResolver.h"
#include "connectors/redis/ServerInfo.h"
#include "connectors/redis/ValueReader.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>

namespace cachelens {

using redis::RedisError;
using redis::RedisReply;

RedisSource::RedisSource(const QString& id, const QString& displayName, const ConnectionUrl& url, QObject* parent)
    : RedisSource(id, displayName, url, Options{}, parent)
{
}

RedisSource::RedisSource(const QString& id, const QString& displayName, const ConnectionUrl& url, const Options& options,
                         QObject* parent)
    : Source(ChangeGuard(policyOf(options.guard, displayName)), parent), m_id(id), m_displayName(displayName), m_url(url),
      m_options(options)
{
}

GuardPolicy RedisSource::policyOf(GuardPolicy policy, const QString& displayName)
{
    if (policy.connection.isEmpty())
        policy.connection = displayName;
    return policy;
}

RedisSource::~RedisSource() = default;

SourceError RedisSource::toSourceError(const RedisError& error)
{
    using K = RedisError::Kind;
    SourceError e;
    e.message = error.message;
    switch (error.kind) {
    case K::None: e.kind = SourceError::Kind::None; break;
    case K::WrongType: e.kind = SourceError::Kind::WrongType; break;
    case K::NoAuth:
    case K::WrongPass:
    case K::NoPerm: e.kind = SourceError::Kind::Auth; break;
    case K::ReadOnly: e.kind = SourceError::Kind::ReadOnly; break;
    case K::Loading: e.kind = SourceError::Kind::Loading; break;
    case K::Timeout: e.kind = SourceError::Kind::Timeout; break;
    case K::Cancelled: e.kind = SourceError::Kind::Cancelled; break;
    case K::Connection:
    case K::Tls:
    case K::Protocol: e.kind = SourceError::Kind::Connection; break;
    case K::Err:
    case K::Busy:
    case K::Moved:
    case K::Ask:
    case K::TryAgain:
    case K::ClusterDown: e.kind = SourceError::Kind::Server; break;
    }
    return e;
}

void RedisSource::open()
{
    if (m_cluster) {
        m_cluster->open();
        return;
    }
    if (m_client) {
        if (m_client->state() == ConnectionState::Failed || m_client->state() == ConnectionState::Disconnected)
            m_client->open();
        return;
    }
    m_client = m_url.scheme == ConnectionUrl::Scheme::Sentinel
                   ? redis::SentinelResolver::createClient(m_url, m_options.client, this)
                   : new redis::RedisClient(m_url, m_options.client, this);
    connect(m_client, &redis::RedisClient::stateChanged, this, &RedisSource::onProbeState);
    m_client->open();
}

void RedisSource::onProbeState(ConnectionState state, const QString& detail)
{
    if (state != ConnectionState::Ready || m_mode == Mode::Standalone) {
        Q_EMIT stateChanged(state, detail);
        return;
    }
    // First Ready: standalone or cluster? One INFO server answers (redis_mode, Redis 3.0+) before we say Ready.
    m_client->command({QByteArrayLiteral("INFO"), QByteArrayLiteral("server")}, this, [this, detail](const RedisReply& reply) {
        if (reply.isError())
            return;   // lost while probing: the client reports Reconnecting and we probe again on its next Ready
        const redis::ServerInfo info = redis::ServerInfo::parse(reply.bytes());
        if (!info.isCluster()) {
            m_mode = Mode::Standalone;
            Q_EMIT stateChanged(ConnectionState::Ready, detail);
            return;
        }
        m_mode = Mode::Cluster;
        m_client->disconnect(this);
        m_client->close();
        m_client->deleteLater();
        m_cluster = new redis::ClusterClient(m_url, m_options.client, this);
        connect(m_cluster, &redis::ClusterClient::stateChanged, this, &Source::stateChanged);
        m_cluster->open();
    });
}

void RedisSource::close()
{
    for (const auto& purge : std::as_const(m_purges)) {
        if (purge)
            purge->cancel();
    }
    for (const auto& purge : std::as_const(m_tagPurges)) {
        if (purge)
            purge->cancel();
    }
    for (const auto& restore : std::as_const(m_restores)) {
        if (restore)
            restore->cancel();
    }
    for (auto it = m_scans.begin(); it != m_scans.end(); ++it) {
        it->nodes.clear();
        it->scanner->cancel();
    }
    if (m_cluster)
        m_cluster->close();
    if (m_client)
        m_client->close();   // a scan in flight ends with a Cancelled error and its partial count
}

redis::CommandSink* RedisSource::sink() const
{
    if (m_cluster)
        return m_cluster.data();
    return m_client.data();
}

bool RedisSource::ensureClient(quint64 requestId)
{
    if (m_client || m_cluster)
        return true;
    Q_EMIT error(requestId, SourceError{SourceError::Kind::Connection, tr("%1 is not open").arg(m_displayName)});
    return false;
}

void RedisSource::sample()
{
    if (!ensureClient(0))
        return;
    struct Gather {
        QVector<std::optional<redis::ServerInfo>> infos;   // per node, in masters() order; empty: no answer
        QVector<redis::LookupCounts> own;                  // the node's own lookups when its INFO reply came
        QStringList failures;
        int left = 0;
    };
    auto gather = std::make_shared<Gather>();
    const QList<redis::RedisClient*> nodes = m_cluster ? m_cluster->masters() : QList<redis::RedisClient*>{m_client.data()};
    if (nodes.isEmpty()) {
        Q_EMIT error(0, SourceError{SourceError::Kind::Connection, tr("no cluster master is known yet")});
        return;
    }
    gather->left = int(nodes.size());
    gather->infos.resize(nodes.size());
    gather->own.resize(nodes.size());
    QStringList labels;
    for (redis::RedisClient* node : nodes)
        labels << node->endpoint().label();
    auto finish = [this, gather, labels] {
        // A cluster's identity (run_id, uptime) is its first answering master's. With a master down, the sample
        // sums the others (so the dashboard keeps moving) and error() says which node is missing.
        if (!gather->failures.isEmpty())
            Q_EMIT error(0, SourceError{SourceError::Kind::Connection, gather->failures.join(QStringLiteral("; "))});
        std::optional<redis::ServerInfo> total;
        for (const auto& node : std::as_const(gather->infos)) {
            if (!node)
                continue;
            if (total)
                *total += *node;
            else
                total = node;
        }
        if (!total)
            return;
        redis::LookupCounts own;
        for (qsizetype i = 0; i < gather->infos.size(); ++i)
            if (gather->infos.at(i))
                own += gather->own.at(i);
        const redis::ServerInfo& info = *total;
        StatsSample s;
        s.sourceId = m_id;
        s.time = QDateTime::currentDateTimeUtc();
        s.hits = info.keyspaceHits;
        s.misses = info.keyspaceMisses;
        s.evictions = info.evictedKeys;
        s.expirations = info.expiredKeys;
        s.commands = info.totalCommandsProcessed;
        s.keys = info.keyspace.isEmpty() && info.fields.contains("redis_version") ? 0 : info.totalKeys();
        s.memoryBytes = info.usedMemory;
        s.clients = info.connectedClients;
        s.opsPerSecond = info.instantaneousOpsPerSec;
        s.runId = info.runId;
        s.uptimeSeconds = info.uptimeSeconds;
        const redis::ClientLoad load = m_cluster ? m_cluster->load() : m_client ? m_client->load() : redis::ClientLoad{};
        s.ownCommands = qint64(load.commands);
        s.ownBytesIn = qint64(load.bytesIn);
        s.ownBytesOut = qint64(load.bytesOut);
        s.ownLatencyP50Ms = load.latencyP50Ms;
        s.ownLatencyP99Ms = load.latencyP99Ms;
        s.ownHits = qint64(own.hits);
        s.ownMisses = qint64(own.misses);
        s.ownUncountable = qint64(own.uncountable);
        if (m_cluster) {
            for (qsizetype i = 0; i < gather->infos.size(); ++i) {
                const auto& node = gather->infos.at(i);
                if (!node)
                    continue;
                NodeStats n;
                n.node = labels.value(i);
                n.hits = node->keyspaceHits;
                n.misses = node->keyspaceMisses;
                n.evictions = node->evictedKeys;
                n.expirations = node->expiredKeys;
                n.commands = node->totalCommandsProcessed;
                n.keys = node->totalKeys();
                n.memoryBytes = node->usedMemory;
                n.clients = node->connectedClients;
                n.opsPerSecond = node->instantaneousOpsPerSec;
                n.ownHits = qint64(gather->own.at(i).hits);
                n.ownMisses = qint64(gather->own.at(i).misses);
                n.ownUncountable = qint64(gather->own.at(i).uncountable);
                s.nodes.append(n);
            }
        }
        Q_EMIT statsSample(s);
    };
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        redis::RedisClient* node = nodes.at(i);
        node->command({QByteArrayLiteral("INFO")}, this, [gather, finish, i, node](const RedisReply& reply) {
            if (reply.isError()) {
                gather->failures << reply.error().message;
            } else {
                gather->infos[i] = redis::ServerInfo::parse(reply.bytes());
                // Read now: every command this connection sent before INFO has been answered (and counted), none
                // sent after it has run yet, so these are exactly the own lookups inside this INFO.
                gather->own[i] = node->lookups();
            }
            if (--gather->left == 0)
                finish();
        });
    }
}

void RedisSource::scan(quint64 requestId, const QByteArray& glob, int pageSize)
{
    if (!ensureClient(requestId))
        return;
    if (m_scans.contains(requestId)) {
        Q_EMIT error(requestId, SourceError{SourceError::Kind::InvalidArgument, tr("scan %1 is already running").arg(requestId)});
        return;
    }
    QList<redis::RedisClient*> nodes = m_cluster ? m_cluster->masters() : QList<redis::RedisClient*>{m_client.data()};
    if (nodes.isEmpty()) {
        Q_EMIT scanFinished(ScanSummary{requestId, 0, false, SourceError{SourceError::Kind::Connection, tr("no cluster master is known yet")}});
        return;
    }
    ScanJob& job = m_scans[requestId];
    job.pending.requestId = requestId;
    job.options.match = glob == "*" ? QByteArray() : glob;
    job.options.count = pageSize > 0 ? pageSize : 1000;
    job.sinceEmit.start();
    for (qsizetype i = 1; i < nodes.size(); ++i)
        job.nodes.append(nodes.at(i));
    // DBSIZE of every node first, pipelined with the first SCAN: the progress estimate costs no extra round trip.
    // The first batch carries the whole estimate (on a cluster the other masters may answer after the first SCAN):
    // the Keys panel sizes its storage from it once, so that a million keys load without reallocating.
    job.sizesPending = int(nodes.size());
    for (redis::RedisClient* node : nodes) {
        node->command({QByteArrayLiteral("DBSIZE")}, this, [this, requestId](const RedisReply& reply) {
            auto it = m_scans.find(requestId);
            if (it == m_scans.end())
                return;
            --it->sizesPending;
            if (reply.isInteger())
                it->pending.estimatedTotal += quint64(reply.toInteger());
        });
    }
    startScanner(requestId, nodes.first());
}

void RedisSource::startScanner(quint64 requestId, redis::RedisClient* node)
{
    ScanJob& job = m_scans[requestId];
    auto* scanner = new redis::KeyScanner(node, job.options, this);
    job.scanner = scanner;
    connect(scanner, &redis::KeyScanner::keysFound, this,
            [this, requestId](const QList<QByteArray>& keys) { onScanKeys(requestId, keys); });
    connect(scanner, &redis::KeyScanner::finished, this,
            [this, requestId](quint64 total, bool cancelled, const RedisError& e) { onScanFinished(requestId, total, cancelled, e); });
    scanner->start();
}

void RedisSource::onScanKeys(quint64 requestId, const QList<QByteArray>& keys)
{
    auto it = m_scans.find(requestId);
    if (it == m_scans.end())
        return;
    ScanJob& job = *it;
    job.pending.keys.reserve(job.pending.keys.size() + keys.size());
    for (const QByteArray& key : keys)
        job.pending.keys.append(KeyEntry{key, KeyType::Unknown, -2, -1});
    job.pending.scannedSoFar += quint64(keys.size());
    const qint64 since = job.sinceEmit.elapsed();
    if (since >= m_options.batchIntervalMs && (job.sizesPending <= 0 || since >= 1000))
        flush(job);
}

void RedisSource::flush(ScanJob& job)
{
    if (job.pending.keys.isEmpty())
        return;
    KeyBatch batch;
    batch.requestId = job.pending.requestId;
    batch.scannedSoFar = job.pending.scannedSoFar;
    batch.estimatedTotal = qMax(job.pending.estimatedTotal, job.pending.scannedSoFar);
    batch.keys.swap(job.pending.keys);
    job.sinceEmit.restart();
    Q_EMIT keysFound(batch);
}

void RedisSource::onScanFinished(quint64 requestId, quint64 total, bool cancelled, const RedisError& e)
{
    auto it = m_scans.find(requestId);
    if (it == m_scans.end())
        return;
    it->scanner->deleteLater();
    it->totalBefore += total;
    if (!cancelled && !e.isError() && !it->nodes.isEmpty()) {
        const QPointer<redis::RedisClient> next = it->nodes.takeFirst();
        if (next) {
            startScanner(requestId, next);
            return;
        }
    }
    flush(*it);
    const quint64 delivered = it->totalBefore;
    m_scans.erase(it);
    ScanSummary summary;
    summary.requestId = requestId;
    summary.total = delivered;
    summary.cancelled = cancelled || e.kind == RedisError::Kind::Cancelled;
    summary.error = toSourceError(e);
    Q_EMIT scanFinished(summary);
}

void RedisSource::cancel(quint64 requestId)
{
    if (const auto purge = m_purges.value(requestId))
        purge->cancel();
    if (const auto purge = m_tagPurges.value(requestId))
        purge->cancel();
    if (const auto restore = m_restores.value(requestId))
        restore->cancel();
    if (const auto lister = m_tagListers.value(requestId))
        lister->cancel();
    auto it = m_scans.find(requestId);
    if (it != m_scans.end())
        it->scanner->cancel();
}

DetailCost RedisSource::detailCost() const
{
    return {redis::kKeyDetailsCommands, redis::kKeyDetailsLookups};
}

DetailCost RedisSource::keyStatsCost(bool withElements, bool withFrequency) const
{
    const int commands = redis::keyStatsCommands(withElements, withFrequency);
    return {commands, commands};
}

void RedisSource::keyDetails(quint64 requestId, const QList<QByteArray>& keys)
{
    if (!ensureClient(requestId))
        return;
    redis::fetchKeyDetails(*sink(), keys, true, this, [this, requestId](QVector<KeyEntry> entries, RedisError e) {
        KeyBatch batch;
        batch.requestId = requestId;
        batch.keys = std::move(entries);
        batch.scannedSoFar = quint64(batch.keys.size());
        Q_EMIT keyDetailsReady(batch);
        if (e.isError())
            Q_EMIT error(requestId, toSourceError(e));
    });
}

void RedisSource::fetchValue(quint64 requestId, const QByteArray& key, const QByteArray& cursor, int pageSize)
{
    if (!ensureClient(requestId))
        return;
    redis::readValuePage(*sink(), key, KeyType::Unknown, cursor, pageSize, this, [this, requestId](ValuePage page) {
        page.requestId = requestId;
        Q_EMIT valueReady(page);
    });
}

bool RedisSource::ensureClient(quint64 requestId, const AuditTicket& ticket, quint64 requested)
{
    if (m_client || m_cluster)
        return true;
    const SourceError notOpen{SourceError::Kind::Connection, tr("%1 is not open").arg(m_displayName)};
    ticket.finish(KeyOpResult{requestId, requested, 0, notOpen});
    Q_EMIT error(requestId, notOpen);
    return false;
}

void RedisSource::changeTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs, const AuditTicket& ticket)
{
    const quint64 requested = quint64(keys.size());
    if (!ensureClient(requestId, ticket, requested))
        return;
    redis::setKeysTtl(*sink(), keys, ttlMs, this, [this, requestId, requested, ticket](quint64 affected, RedisError e) {
        const KeyOpResult result{requestId, requested, affected, toSourceError(e)};
        ticket.finish(result);
        Q_EMIT keysChanged(result);
    });
}

void RedisSource::removeKeys(quint64 requestId, const QList<QByteArray>& keys, const AuditTicket& ticket)
{
    const quint64 requested = quint64(keys.size());
    if (!ensureClient(requestId, ticket, requested))
        return;
    redis::removeKeys(*sink(), keys, m_options.removeBatchSize, this,
                      [this, requestId, requested, ticket](quint64 affected, RedisError e) {
                          const KeyOpResult result{requestId, requested, affected, toSourceError(e)};
                          ticket.finish(result);
                          Q_EMIT keysChanged(result);
                      });
}

void RedisSource::storeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value,
                             const AuditTicket& ticket)
{
    if (!ensureClient(requestId, ticket, 1))
        return;
    const QList<QByteArray> args = field.isEmpty()
        ? QList<QByteArray>{QByteArrayLiteral("SET"), key, value, QByteArrayLiteral("KEEPTTL")}   // Redis 6.0+
        : QList<QByteArray>{QByteArrayLiteral("HSET"), key, field, value};
    sink()->command(args, this, [this, requestId, ticket](const redis::RedisReply& reply) {
        KeyOpResult result{requestId, 1, reply.isError() ? 0u : 1u, {}};
        if (reply.isError())
            result.error = toSourceError(reply.error());
        ticket.finish(result);
        Q_EMIT keysChanged(result);
    });
}

void RedisSource::runPatternInvalidation(quint64 requestId, const QByteArray& glob, const InvalidateOptions& options,
                                         const AuditTicket& ticket)
{
    InvalidationReport refused;
    refused.requestId = requestId;
    refused.what = QStringLiteral("pattern ") + QString::fromUtf8(glob);
    refused.dryRun = options.dryRun;
    auto refuse = [&](SourceError::Kind kind, const QString& message) {
        refused.error = SourceError{kind, message};
        ticket.finish(refused);
        Q_EMIT invalidationFinished(refused);
    };
    if (!m_client && !m_cluster)
        return refuse(SourceError::Kind::Connection, tr("%1 is not open").arg(m_displayName));
    if (m_purges.contains(requestId))
        return refuse(SourceError::Kind::InvalidArgument, tr("invalidation %1 is already running").arg(requestId));
    const QList<redis::RedisClient*> nodes = m_cluster ? m_cluster->masters() : QList<redis::RedisClient*>{m_client.data()};
    if (nodes.isEmpty())
        return refuse(SourceError::Kind::Connection, tr("no cluster master is known yet"));
    // The snapshot file before any key is touched: when it cannot be created nothing runs.
    std::unique_ptr<redis::PurgeSnapshot> snapshot;
    if (options.snapshot && !options.dryRun) {
        const QString connection = guard().policy().connection;
        SnapshotInfo meta;
        meta.connection = connection;
        meta.target = refused.what;
        meta.limitBytes = options.snapshotLimitBytes;
        QStringList servers;
        for (redis::RedisClient* node : nodes)
            servers << node->endpoint().label();
        meta.server = m_cluster ? tr("cluster: %1").arg(servers.join(QStringLiteral(", "))) : servers.join(QString());
        const QString path = !options.snapshotPath.isEmpty() ? options.snapshotPath
            : SnapshotFile::newPath(options.snapshotDirectory.isEmpty() ? SnapshotFile::defaultDirectory()
                                                                        : options.snapshotDirectory,
                                    connection, QDateTime::currentDateTimeUtc());
        snapshot = std::make_unique<redis::PurgeSnapshot>();
        QString problem;
        if (!snapshot->open(path, meta, options.snapshotLimitBytes, &problem))
            return refuse(SourceError::Kind::Storage, problem);
    }
    auto* purge = new redis::PatternPurge(requestId, nodes, m_cluster != nullptr, glob, options, snapshot.release(), this);
    m_purges.insert(requestId, purge);
    connect(purge, &redis::PatternPurge::progress, this, &Source::invalidationProgress);
    connect(purge, &redis::PatternPurge::finished, this, [this, requestId, purge, ticket](const InvalidationReport& report) {
        ticket.finish(report);
        m_purges.remove(requestId);
        purge->deleteLater();
        Q_EMIT invalidationFinished(report);
    });
    purge->start();
}

redis::CommandSink* RedisSource::nodeForKey(const QByteArray& key) const
{
    if (m_cluster)
        return m_cluster->nodeForSlot(redis::keySlot(key));
    return m_client.data();
}

void RedisSource::listTags(quint64 requestId, const QByteArray& prefix)
{
    const QList<redis::RedisClient*> nodes = m_cluster ? m_cluster->masters()
                                           : m_client ? QList<redis::RedisClient*>{m_client.data()} : QList<redis::RedisClient*>{};
    if (nodes.isEmpty()) {
        TagList refused;
        refused.requestId = requestId;
        refused.prefix = prefix;
        refused.error = SourceError{SourceError::Kind::Connection, tr("%1 is not open").arg(m_displayName)};
        Q_EMIT tagsListed(refused);
        return;
    }
    if (m_cluster) {
        if (const QString problem = redis::clusterPrefixProblem(prefix); !problem.isEmpty()) {
            TagList refused;
            refused.requestId = requestId;
            refused.prefix = prefix;
            refused.error = SourceError{SourceError::Kind::InvalidArgument, problem};
            Q_EMIT tagsListed(refused);
            return;
        }
    }
    auto* lister = new redis::RedisTagLister(requestId, nodes, m_cluster != nullptr, prefix, this);
    m_tagListers.insert(requestId, lister);
    connect(lister, &redis::RedisTagLister::finished, this, [this, requestId, lister](const TagList& list) {
        m_tagListers.remove(requestId);
        lister->deleteLater();
        Q_EMIT tagsListed(list);
    });
    lister->start();
}

void RedisSource::tagMembers(quint64 requestId, const QByteArray& prefix, const QByteArray& tag, int count)
{
    redis::previewTagMembers([this](const QByteArray& key) { return nodeForKey(key); }, m_cluster != nullptr, requestId,
                             prefix, tag, count, this,
                             [this](const TagMembers& members) { Q_EMIT tagMembersReady(members); });
}

void RedisSource::runTagInvalidation(quint64 requestId, const QByteArray& prefix, const QList<QByteArray>& tags,
                                     const InvalidateOptions& options, const AuditTicket& ticket)
{
    InvalidationReport refused;
    refused.requestId = requestId;
    refused.dryRun = options.dryRun;
    QStringList names;
    for (const QByteArray& t : tags)
        names << QString::fromUtf8(t);
    refused.what = QStringLiteral("tag ") + names.join(QStringLiteral(", "));
    auto refuse = [&](SourceError::Kind kind, const QString& message) {
        refused.error = SourceError{kind, message};
        ticket.finish(refused);
        Q_EMIT invalidationFinished(refused);
    };
    if (!m_client && !m_cluster)
        return refuse(SourceError::Kind::Connection, tr("%1 is not open").arg(m_displayName));
    if (m_tagPurges.contains(requestId) || m_purges.contains(requestId))
        return refuse(SourceError::Kind::InvalidArgument, tr("invalidation %1 is already running").arg(requestId));
    if (m_cluster) {
        if (const QString problem = redis::clusterPrefixProblem(prefix); !problem.isEmpty())
            return refuse(SourceError::Kind::InvalidArgument, problem);
    }
    redis::RedisTagInvalidation::Bus bus;
    bus.channel = QByteArray(provider::kDefaultBusChannel.data(), qsizetype(provider::kDefaultBusChannel.size()));
    bus.instance = QStringLiteral("cachelens-%1-%2").arg(m_id).arg(QCoreApplication::applicationPid()).toUtf8();
    QList<redis::CommandSink*> masters;
    for (redis::RedisClient* master : m_cluster ? m_cluster->masters() : QList<redis::RedisClient*>{m_client.data()})
        masters << master;
    auto* job = new redis::RedisTagInvalidation(requestId, [this](const QByteArray& key) { return nodeForKey(key); },
                                                masters, m_cluster != nullptr, prefix, tags, options, bus, this);
    m_tagPurges.insert(requestId, job);
    connect(job, &redis::RedisTagInvalidation::progress, this, &Source::invalidationProgress);
    connect(job, &redis::RedisTagInvalidation::finished, this, [this, requestId, job, ticket](const InvalidationReport& report) {
        ticket.finish(report);
        m_tagPurges.remove(requestId);
        job->deleteLater();
        Q_EMIT invalidationFinished(report);
    });
    job->start();
}

void RedisSource::runRestore(quint64 requestId, const QString& path, const RestoreOptions& options, const AuditTicket& ticket)
{
    RestoreReport refused;
    refused.requestId = requestId;
    refused.path = path;
    refused.dryRun = options.dryRun;
    auto refuse = [&](SourceError::Kind kind, const QString& message) {
        refused.error = SourceError{kind, message};
        ticket.finish(refused);
        Q_EMIT restoreFinished(refused);
    };
    if (!sink())
        return refuse(SourceError::Kind::Connection, tr("%1 is not open").arg(m_displayName));
    if (m_restores.contains(requestId))
        return refuse(SourceError::Kind::InvalidArgument, tr("restore %1 is already running").arg(requestId));
    auto* job = new redis::RedisSnapshotRestore(requestId, sink(), path, options, this);
    if (!job->open()) {
        refused = job->report();
        delete job;
        ticket.finish(refused);
        Q_EMIT restoreFinished(refused);
        return;
    }
    m_restores.insert(requestId, job);
    connect(job, &redis::RedisSnapshotRestore::progress, this, &Source::restoreProgress);
    connect(job, &redis::RedisSnapshotRestore::finished, this, [this, requestId, job, ticket](const RestoreReport& report) {
        ticket.finish(report);
        m_restores.remove(requestId);
        job->deleteLater();
        Q_EMIT restoreFinished(report);
    });
    job->start();
}

// ---- Keys panel: element counts and access frequency (#7) ----

void RedisSource::keyStats(quint64 requestId, const QList<QByteArray>& keys, bool withElements, bool withFrequency)
{
    if (!ensureClient(requestId))
        return;
    const auto run = [this, requestId, keys, withElements, withFrequency](FrequencySupport support, bool askFrequency) {
        redis::fetchKeyStats(*sink(), keys, withElements, askFrequency, this,
                             [this, requestId, support, askFrequency, withFrequency](QVector<KeyStat> stats, RedisError e,
                                                                                     QString refused) mutable {
                                 KeyStatsBatch batch;
                                 batch.requestId = requestId;
                                 batch.keys = std::move(stats);
                                 if (withFrequency && askFrequency) {
                                     support.available = refused.isEmpty();
                                     if (!refused.isEmpty())
                                         support.reason = tr("the server refused OBJECT FREQ: %1").arg(refused);
                                     else
                                         support.scale = tr("OBJECT FREQ: Redis's logarithmic LFU counter (0–255), "
                                                            "which decays every lfu-decay-time minutes");
                                 }
                                 batch.frequency = support;
                                 batch.error = toSourceError(e);
                                 Q_EMIT keyStatsReady(batch);
                             });
    };
    if (!withFrequency) {
        run({}, false);
        return;
    }
    // OBJECT FREQ answers only under an LFU policy; ask the policy first so the reason can name it. CONFIG may be
    // renamed or refused (managed services): then OBJECT FREQ itself says whether it works.
    sink()->command({QByteArrayLiteral("CONFIG"), QByteArrayLiteral("GET"), QByteArrayLiteral("maxmemory-policy")}, this,
                    [this, run](const redis::RedisReply& reply) {
                        FrequencySupport support;
                        if (reply.isArray() && reply.elements().size() >= 2)
                            support.policy = QString::fromUtf8(reply.elements().at(1).bytes());
                        if (!support.policy.isEmpty() && !redis::isLfuPolicy(support.policy.toUtf8())) {
                            support.reason = tr("maxmemory-policy is %1: Redis counts accesses (OBJECT FREQ) only "
                                                "under allkeys-lfu or volatile-lfu.").arg(support.policy);
                            run(support, false);
                            return;
                        }
                        run(support, true);
                    });
}

} // namespace cachelens
