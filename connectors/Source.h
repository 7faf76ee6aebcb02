#pragma once
// Source: the UI's one API to a cache — the local engine (LocalSource) or a Redis connection (RedisSource).
//
// Threading contract: a Source lives on its own worker thread (moveToThread). Callers on the GUI thread invoke its
// request slots through queued calls (QMetaObject::invokeMethod(source, &Source::scan, Qt::QueuedConnection, …)) or
// queued signal connections; requests return at once and results arrive as queued signals carrying the value types
// of SourceTypes.h. Every request carries a caller-chosen requestId that is echoed back, so a stale result (the user
// changed connection or filter) can be dropped. Long operations report progress at most ~10 Hz and are cancelled
// with cancel(requestId); cancellation is checked between batches.
#include "connectors/SourceTypes.h"

#include <QObject>

namespace cachelens {

class Source : public QObject
{
    Q_OBJECT
public:
    enum class Kind { Local, Redis };

    explicit Source(QObject* parent = nullptr) : QObject(parent) {}
    ~Source() override = default;

    // Thread-safe, immutable after construction.
    virtual Kind kind() const = 0;
    virtual QString id() const = 0;            // stable id ("local", or the profile id)
    virtual QString displayName() const = 0;   // "Local engine", "prod-cache (redis://…:6379)"

public Q_SLOTS:
    virtual void open() = 0;                   // connect; stateChanged reports progress
    virtual void close() = 0;
    virtual void sample() = 0;                 // → statsSample
    virtual void scan(quint64 requestId, const QByteArray& glob, int pageSize) = 0;   // → keysFound… scanFinished
    virtual void cancel(quint64 requestId) = 0;

Q_SIGNALS:
    void stateChanged(cachelens::ConnectionState state, const QString& detail);
    void statsSample(const cachelens::StatsSample& sample);
    void keysFound(const cachelens::KeyBatch& batch);
    void scanFinished(const cachelens::ScanSummary& summary);
    void error(quint64 requestId, const cachelens::SourceError& error);
};

} // namespace cachelens
