#include "ui/keys/KeyScan.h"

#include "connectors/Source.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/RequestIds.h"

#include <QLocale>
#include <QTimer>

#include <algorithm>

namespace cachelens::ui {

KeyScan::KeyScan(KeyTreeModel* model, QObject* parent) : QObject(parent), m_model(model), m_ingest(new QTimer(this))
{
    qRegisterMetaType<KeyBatch>();
    qRegisterMetaType<ScanSummary>();
    qRegisterMetaType<SourceError>();
    m_ingest->setInterval(0);
    connect(m_ingest, &QTimer::timeout, this, &KeyScan::ingest);
    connect(m_model, &KeyTreeModel::sortingChanged, this, [this](bool sorting) {
        if (sorting || !m_doneAfterSort)
            return;
        const auto [total, cancelled] = *m_doneAfterSort;
        m_doneAfterSort.reset();
        Q_EMIT done(total, cancelled);
    });
}

void KeyScan::setSource(Source* source)
{
    if (m_source == source)
        return;
    cancel();
    for (const auto& c : std::as_const(m_connections))
        QObject::disconnect(c);
    m_connections.clear();
    m_source = source;
    forget();
    if (source)
        m_connections << connect(source, &Source::keysFound, this, &KeyScan::onKeysFound)
                      << connect(source, &Source::scanFinished, this, &KeyScan::onScanFinished)
                      << connect(source, &Source::error, this, &KeyScan::onError);
}

void KeyScan::forget()
{
    m_id = 0;
    m_incoming.clear();
    m_incomingOffset = 0;
    m_finished.reset();
    m_doneAfterSort.reset();
    m_ingest->stop();
}

void KeyScan::start(const QByteArray& glob)
{
    if (!m_source)
        return;
    cancel();
    m_model->clear();
    forget();
    m_id = nextKeysRequestId();
    m_scanned = 0;
    m_estimate = 0;
    m_clock.start();
    m_progress.start();
    const quint64 id = m_id;
    callSource(m_source, [id, glob](Source* s) { s->scan(id, glob, kScanPageSize); });
    Q_EMIT started(glob);
}

void KeyScan::cancel()
{
    if (!m_id || !m_source)
        return;
    const quint64 id = m_id;
    callSource(m_source, [id](Source* s) { s->cancel(id); });
}

void KeyScan::onKeysFound(const KeyBatch& batch)
{
    if (batch.requestId != m_id || !m_id)
        return;
    if (m_estimate == 0 && batch.estimatedTotal > 0 && !batch.keys.isEmpty()) {
        const quint64 expected = batch.estimatedTotal + batch.estimatedTotal / 50;
        m_model->reserve(expected, expected * (quint64(batch.keys.first().key.size()) + 8));
    }
    m_incoming.append(batch.keys);
    if (!m_ingest->isActive())
        m_ingest->start();
    m_scanned = batch.scannedSoFar;
    m_estimate = batch.estimatedTotal;
    m_progress.setTotal(m_estimate > 0 ? qint64(m_estimate) : -1);
    m_progress.update(qint64(m_scanned));
    Q_EMIT progressed(m_scanned, m_estimate);
}

void KeyScan::ingest()
{
    QElapsedTimer slice;
    slice.start();
    while (!m_incoming.isEmpty() && slice.elapsed() < kIngestSliceMs) {
        const QVector<KeyEntry>& head = m_incoming.first();
        const qsizetype n = std::min<qsizetype>(kIngestChunk, head.size() - m_incomingOffset);
        m_model->addKeys(head.mid(m_incomingOffset, n));
        m_incomingOffset += n;
        if (m_incomingOffset >= head.size()) {
            m_incoming.removeFirst();
            m_incomingOffset = 0;
        }
    }
    if (!m_incoming.isEmpty())
        return;
    m_ingest->stop();
    if (m_finished) {
        const ScanSummary summary = *m_finished;
        m_finished.reset();
        finish(summary);
    }
}

void KeyScan::onScanFinished(const ScanSummary& summary)
{
    if (summary.requestId != m_id || !m_id)
        return;
    if (!m_incoming.isEmpty()) {
        m_finished = summary;   // reported when the last keys are in the tree
        return;
    }
    finish(summary);
}

void KeyScan::onError(quint64 requestId, const SourceError& error)
{
    if (requestId != m_id || !m_id)
        return;
    ScanSummary summary;
    summary.requestId = requestId;
    summary.total = m_scanned;
    summary.error = error;
    onScanFinished(summary);
}

void KeyScan::finish(const ScanSummary& summary)
{
    m_id = 0;
    Q_EMIT loaded(summary);
    if (m_model->isSorting()) {
        m_doneAfterSort = std::make_pair(summary.total, summary.cancelled);   // the tree is whole once it is in order
        return;
    }
    Q_EMIT done(summary.total, summary.cancelled);
}

QString KeyScan::progressText() const
{
    const QLocale locale;
    const QString counts = m_estimate > 0 ? tr("%1 of ~%2 keys").arg(locale.toString(m_scanned), locale.toString(m_estimate))
                                          : tr("%1 keys").arg(locale.toString(m_scanned));
    return m_progress.line(counts, tr("keys"), locale);
}

QString KeyScan::sentence(const ScanSummary& summary) const
{
    const QLocale locale;
    const QString seconds = locale.toString(double(elapsedMs()) / 1000.0, 'f', 1);
    if (summary.error.isError())
        return tr("Scan stopped after %1 keys: %2").arg(locale.toString(summary.total), summary.error.message);
    if (summary.cancelled)
        return tr("Scan cancelled after %1 keys (%2 s); the tree shows what was found.").arg(locale.toString(summary.total), seconds);
    return tr("Scanned %1 keys in %2 s.").arg(locale.toString(summary.total), seconds);
}

} // namespace cachelens::ui
