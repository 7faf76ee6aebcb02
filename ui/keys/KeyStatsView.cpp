#include "ui/keys/KeyStatsView.h"

#include "connectors/Source.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/ReadCostDialog.h"
#include "ui/keys/RequestIds.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace cachelens::ui {

namespace {

constexpr int kKeyBytesRole = Qt::UserRole + 1;
constexpr int kTypeRole = Qt::UserRole + 2;

} // namespace

KeyStatsView::KeyStatsView(Mode mode, KeyTreeModel* model, QWidget* parent)
    : QWidget(parent),
      m_mode(mode),
      m_model(model),
      m_results(new QStandardItemModel(0, ColumnCount, this)),
      m_view(new QTableView(this)),
      m_sample(new QComboBox(this)),
      m_start(new QPushButton(mode == Mode::Elements ? tr("Find big keys by elements") : tr("Find hot keys"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_status(new QLabel(this)),
      m_note(new QLabel(this))
{
    const QString prefix = mode == Mode::Elements ? QStringLiteral("bigKeysByElements") : QStringLiteral("hotKeys");
    setObjectName(prefix + QStringLiteral("View"));
    m_results->setHorizontalHeaderLabels(
        {tr("Key"), tr("Type"), mode == Mode::Elements ? tr("Elements") : tr("Frequency")});
    m_view->setObjectName(prefix + QStringLiteral("Table"));
    m_view->setModel(m_results);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->setVisible(false);
    m_view->horizontalHeader()->setSectionResizeMode(KeyColumn, QHeaderView::Stretch);
    m_sample->setObjectName(prefix + QStringLiteral("Sample"));
    m_sample->addItem(tr("every loaded key"), 0);
    const QLocale locale;
    for (int n : {10000, 100000})
        m_sample->addItem(tr("a random %1 keys").arg(locale.toString(n)), n);
    m_sample->setToolTip(tr("Which keys to read: all of them (exact ranking) or a random sample of the tree (faster "
                            "on millions of keys)"));
    connect(m_sample, &QComboBox::activated, this, [this](int i) { m_sampleSize = m_sample->itemData(i).toInt(); });
    m_start->setObjectName(prefix + QStringLiteral("Button"));
    m_start->setToolTip(mode == Mode::Elements
                            ? tr("Count the elements of the keys (HLEN, LLEN, SCARD, ZCARD, XLEN, STRLEN), pipelined")
                            : tr("Read the access frequency of the keys (OBJECT FREQ), pipelined"));
    m_cancel->setObjectName(prefix + QStringLiteral("Cancel"));
    m_cancel->setEnabled(false);
    m_status->setObjectName(prefix + QStringLiteral("Status"));
    m_status->setWordWrap(true);
    m_note->setObjectName(prefix + QStringLiteral("Note"));
    m_note->setWordWrap(true);
    m_note->setVisible(mode == Mode::Frequency);
    connect(m_start, &QPushButton::clicked, this, &KeyStatsView::ask);
    connect(m_cancel, &QPushButton::clicked, this, &KeyStatsView::cancel);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (current.isValid())
            Q_EMIT keySelected(keyOfRow(current.row()), KeyType(m_results->item(current.row(), KeyColumn)->data(kTypeRole).toInt()));
    });
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        Q_EMIT keyActivated(keyOfRow(index.row()), KeyType(m_results->item(index.row(), KeyColumn)->data(kTypeRole).toInt()));
    });

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_start);
    bar->addWidget(new QLabel(tr("Read:"), this));
    bar->addWidget(m_sample);
    bar->addStretch(1);
    bar->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_status);
    layout->addWidget(m_view, 1);
    if (mode == Mode::Frequency)
        setSupport(FrequencySupport{false, {}, tr("no connection yet."), {}});
}

void KeyStatsView::setSampleSize(int keys)
{
    m_sampleSize = std::max(0, keys);
    const int i = m_sample->findData(m_sampleSize);
    if (i >= 0)
        m_sample->setCurrentIndex(i);
}

QString KeyStatsView::statusText() const { return m_status->text(); }
QString KeyStatsView::noteText() const { return m_note->text(); }
void KeyStatsView::setStatus(const QString& text) { m_status->setText(text); }

QByteArray KeyStatsView::keyOfRow(int row) const
{
    return m_results->item(row, KeyColumn)->data(kKeyBytesRole).toByteArray();
}

void KeyStatsView::setSource(Source* source)
{
    if (m_source == source)
        return;
    cancel();
    m_ids.clear();
    m_running = false;
    for (const auto& c : m_connections)
        QObject::disconnect(c);
    m_connections.clear();
    m_source = source;
    m_results->removeRows(0, m_results->rowCount());
    m_best.clear();
    m_totals.clear();
    setStatus(QString());
    if (!source) {
        if (m_mode == Mode::Frequency)
            setSupport(FrequencySupport{false, {}, tr("no connection."), {}});
        return;
    }
    m_connections << connect(source, &Source::keyStatsReady, this, &KeyStatsView::onStats)
                  << connect(source, &Source::error, this, &KeyStatsView::onError);
    if (m_mode == Mode::Frequency)
        probe();
}

void KeyStatsView::probe()
{
    m_probeId = nextKeysRequestId();
    const quint64 id = m_probeId;
    setSupport(FrequencySupport{false, {}, tr("asking the server…"), {}});
    callSource(m_source, [id](Source* s) { s->keyStats(id, {}, false, true); });
}

void KeyStatsView::setSupport(const FrequencySupport& support)
{
    m_support = support;
    if (m_mode != Mode::Frequency)
        return;
    const QString policy = support.policy.isEmpty() ? QString() : tr(" (policy %1)").arg(support.policy);
    m_note->setText(support.available ? tr("Hot keys by %1%2.").arg(support.scale, policy)
                                      : tr("Hot keys are not available: %1").arg(support.reason));
    m_start->setEnabled(support.available && m_source);
    m_start->setToolTip(support.available ? tr("Read the access frequency of the keys, pipelined") : support.reason);
}

DetailCost KeyStatsView::cost() const
{
    const bool elements = m_mode == Mode::Elements;
    return m_source ? m_source->keyStatsCost(elements, !elements) : DetailCost{};
}

quint64 KeyStatsView::keysToRead() const
{
    const quint64 loaded = m_model->loadedKeys();
    return m_sampleSize > 0 ? std::min<quint64>(loaded, quint64(m_sampleSize)) : loaded;
}

QDialog* KeyStatsView::pendingConfirmation() const
{
    return m_confirm.data();
}

void KeyStatsView::ask()
{
    if (!m_source || m_running || (m_mode == Mode::Frequency && !m_support.available))
        return;
    if (cost().commandsPerKey == 0) {
        start();
        return;
    }
    if (m_confirm)
        m_confirm->close();
    const QString question = m_mode == Mode::Elements ? tr("Count the elements of %1 keys?") : tr("Read the access frequency of %1 keys?");
    auto* dialog = new ReadCostDialog(question.arg(QLocale().toString(keysToRead())), keysToRead(), m_source, cost(),
                                      tr("Read"), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, &KeyStatsView::start);
    connect(dialog, &QDialog::rejected, this, [this] { setStatus(tr("Nothing was read.")); });
    m_confirm = dialog;
    dialog->open();
}

void KeyStatsView::start()
{
    if (!m_source || m_running || (m_mode == Mode::Frequency && !m_support.available))
        return;
    m_running = true;
    m_cancelled = false;
    m_stopped = false;
    m_stopReason.clear();
    m_best.clear();
    m_totals.clear();
    m_results->removeRows(0, m_results->rowCount());
    m_read = 0;
    m_cursor = 0;
    m_queue.clear();
    if (m_sampleSize > 0) {
        m_queue = m_model->sampleKeys(QModelIndex(), m_sampleSize, quint64(QDateTime::currentMSecsSinceEpoch()));
        m_toRead = quint64(m_queue.size());
    } else {
        m_toRead = m_model->loadedKeys();
    }
    m_clock.start();
    m_progress.start(qint64(m_toRead));
    m_start->setEnabled(false);
    m_cancel->setEnabled(true);
    pump();
}

void KeyStatsView::pump()
{
    if (!m_source)
        return;
    while (m_ids.size() < kInFlight && !m_cancelled && !m_stopped) {
        QList<QByteArray> chunk;
        if (m_sampleSize > 0) {
            chunk = m_queue.mid(0, kChunk);
            m_queue.remove(0, chunk.size());
        } else {
            chunk = m_model->liveKeys(m_cursor, kChunk);
        }
        if (chunk.isEmpty())
            break;
        const quint64 id = nextKeysRequestId();
        m_ids.insert(id);
        const bool elements = m_mode == Mode::Elements;
        callSource(m_source, [id, chunk, elements](Source* s) { s->keyStats(id, chunk, elements, !elements); });
    }
    showProgress();
    if (m_ids.isEmpty())
        complete();
}

void KeyStatsView::showProgress()
{
    const QLocale locale;
    m_progress.update(qint64(m_read));
    setStatus(m_progress.line(tr("Reading %1 of %2 keys").arg(locale.toString(m_read), locale.toString(m_toRead)), tr("keys"),
                              locale));
}

void KeyStatsView::keep(Ranked ranked)
{
    const int limit = m_mode == Mode::Elements ? kPerType : kHot;
    std::vector<Ranked>& best = m_best[m_mode == Mode::Elements ? ranked.type : KeyType::Unknown];
    best.push_back(std::move(ranked));
    if (best.size() >= std::size_t(limit) * 4) {   // trim now and then: O(n) per batch, not per key
        std::nth_element(best.begin(), best.begin() + limit, best.end(),
                         [](const Ranked& a, const Ranked& b) { return a.value > b.value; });
        best.resize(std::size_t(limit));
    }
}

void KeyStatsView::onStats(const KeyStatsBatch& batch)
{
    if (batch.requestId == m_probeId && m_probeId) {
        m_probeId = 0;
        setSupport(batch.error.isError() && batch.frequency.reason.isEmpty()
                       ? FrequencySupport{false, {}, batch.error.message, {}}
                       : batch.frequency);
        return;
    }
    if (!m_ids.remove(batch.requestId))
        return;
    m_read += quint64(batch.keys.size());
    for (const KeyStat& s : batch.keys) {
        if (s.type == KeyType::None)
            continue;   // deleted since the scan
        const qint64 value = m_mode == Mode::Elements ? s.elements : s.frequency;
        if (m_mode == Mode::Elements && s.type != KeyType::Unknown) {
            TypeTotals& t = m_totals[s.type];
            ++t.keys;
            t.elements += std::max<qint64>(0, s.elements);
        }
        if (value >= 0)
            keep(Ranked{s.key, s.type, value});
    }
    if (m_mode == Mode::Frequency && !batch.frequency.available) {
        // The policy changed under us (CONFIG SET), or a cluster node runs another one: stop and say why.
        setSupport(batch.frequency);
        m_stopped = true;
        m_stopReason = batch.frequency.reason;
    }
    if (batch.error.isError() && !m_stopped) {
        m_stopped = true;
        m_stopReason = batch.error.message;
    }
    pump();
}

void KeyStatsView::onError(quint64 requestId, const SourceError& error)
{
    if (requestId == m_probeId && m_probeId) {
        m_probeId = 0;
        setSupport(FrequencySupport{false, {}, error.message, {}});
        return;
    }
    if (!m_ids.remove(requestId))
        return;
    m_stopped = true;
    m_stopReason = error.message;
    pump();
}

void KeyStatsView::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    m_queue.clear();
    if (m_ids.isEmpty())
        complete();
}

void KeyStatsView::complete()
{
    if (!m_running)
        return;
    m_running = false;
    m_cancel->setEnabled(false);
    m_start->setEnabled(m_source && (m_mode == Mode::Elements || m_support.available));
    fill();
    const QLocale locale;
    const QString seconds = locale.toString(double(m_clock.elapsed()) / 1000.0, 'f', 1);
    QString text;
    if (m_stopped)
        text = tr("Stopped after %1 of %2 keys: %3").arg(locale.toString(m_read), locale.toString(m_toRead), m_stopReason);
    else if (m_cancelled)
        text = tr("Cancelled after %1 of %2 keys (%3 s); the list covers those only.")
                   .arg(locale.toString(m_read), locale.toString(m_toRead), seconds);
    else
        text = tr("Read %1 keys in %2 s%3.").arg(locale.toString(m_read), seconds, ReadCostDialog::sentText(m_read, cost()));
    if (m_mode == Mode::Elements && !m_totals.empty()) {
        QStringList parts;
        for (const auto& [type, totals] : m_totals) {
            const auto best = m_best.find(type);
            QString part = tr("%1 %2 keys").arg(locale.toString(totals.keys), keyTypeName(type));
            if (best != m_best.end() && !best->second.empty())
                part += tr(", biggest %1 (%2)").arg(KeyTreeModel::displayKey(best->second.front().key),
                                                    unitFor(type, best->second.front().value));
            parts << part;
        }
        text += QLatin1Char(' ') + parts.join(QStringLiteral("; ")) + QLatin1Char('.');
    }
    setStatus(text);
    Q_EMIT finished();
}

QString KeyStatsView::unitFor(KeyType type, qint64 n)
{
    const QLocale locale;
    switch (type) {
    case KeyType::String: return tr("%1 bytes").arg(locale.toString(n));
    case KeyType::Hash: return tr("%1 fields").arg(locale.toString(n));
    case KeyType::List: return tr("%1 items").arg(locale.toString(n));
    case KeyType::Set:
    case KeyType::ZSet: return tr("%1 members").arg(locale.toString(n));
    case KeyType::Stream: return tr("%1 entries").arg(locale.toString(n));
    default: return locale.toString(n);
    }
}

void KeyStatsView::fill()
{
    m_results->removeRows(0, m_results->rowCount());
    const int limit = m_mode == Mode::Elements ? kPerType : kHot;
    const QLocale locale;
    for (auto& [type, best] : m_best) {
        std::sort(best.begin(), best.end(), [](const Ranked& a, const Ranked& b) {
            return a.value != b.value ? a.value > b.value : a.key < b.key;
        });
        if (best.size() > std::size_t(limit))
            best.resize(std::size_t(limit));
    }
    std::vector<const Ranked*> rows;
    for (const auto& [type, best] : m_best)
        for (const Ranked& r : best)
            rows.push_back(&r);
    if (m_mode == Mode::Frequency)   // one list, most frequent first
        std::stable_sort(rows.begin(), rows.end(), [](const Ranked* a, const Ranked* b) { return a->value > b->value; });
    for (const Ranked* r : rows) {
        auto* key = new QStandardItem(KeyTreeModel::displayKey(r->key));
        key->setData(r->key, kKeyBytesRole);
        key->setData(int(r->type), kTypeRole);
        auto* value = new QStandardItem(m_mode == Mode::Elements ? unitFor(r->type, r->value) : locale.toString(r->value));
        value->setData(r->value, Qt::UserRole);
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_results->appendRow({key, new QStandardItem(r->type == KeyType::Unknown ? QString() : keyTypeName(r->type)), value});
    }
}

} // namespace cachelens::ui
