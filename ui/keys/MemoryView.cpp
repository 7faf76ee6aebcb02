#include "ui/keys/MemoryView.h"

#include "connectors/Source.h"
#include "connectors/support/Units.h"
#include "ui/keys/KeyStatsView.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/ReadCostDialog.h"
#include "ui/keys/RequestIds.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace cachelens::ui {

namespace {

QStandardItem* numberItem(double value, const QString& text)
{
    auto* item = new QStandardItem(text);
    item->setData(value, Qt::UserRole);   // sort role: numbers, not their text
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setEditable(false);
    return item;
}

QStandardItem* textItem(const QString& text)
{
    auto* item = new QStandardItem(text);
    item->setEditable(false);
    return item;
}

} // namespace

MemoryView::MemoryView(KeyTreeModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_nsModel(new QStandardItemModel(0, NsColumns, this)),
      m_bigModel(new QStandardItemModel(0, 3, this)),
      m_nsView(new QTableView(this)),
      m_bigView(new QTableView(this)),
      m_status(new QLabel(this)),
      m_elements(new KeyStatsView(KeyStatsView::Mode::Elements, model, this)),
      m_hotKeys(new KeyStatsView(KeyStatsView::Mode::Frequency, model, this)),
      m_estimate(new QPushButton(tr("Estimate by namespace"), this)),
      m_exactButton(new QPushButton(tr("Exact for selected…"), this)),
      m_big(new QPushButton(tr("Find big keys…"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("memoryView"));
    m_nsModel->setHorizontalHeaderLabels({tr("Namespace"), tr("Keys"), tr("Sampled"), tr("Memory"), tr("± 95 %")});
    m_nsModel->setSortRole(Qt::UserRole);
    m_bigModel->setHorizontalHeaderLabels({tr("Key"), tr("Type"), tr("Memory")});
    for (QTableView* v : {m_nsView, m_bigView}) {
        v->setSelectionBehavior(QAbstractItemView::SelectRows);
        v->setSelectionMode(QAbstractItemView::SingleSelection);
        v->horizontalHeader()->setStretchLastSection(false);
        v->verticalHeader()->setVisible(false);
    }
    m_nsView->setObjectName(QStringLiteral("memoryByNamespace"));
    m_nsView->setModel(m_nsModel);
    m_bigView->setObjectName(QStringLiteral("bigKeys"));
    m_bigView->setModel(m_bigModel);
    for (QTableView* v : {m_nsView, m_bigView})
        v->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);   // sections exist once a model is set
    m_status->setObjectName(QStringLiteral("memoryStatus"));
    m_status->setWordWrap(true);
    m_bigView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    const auto bigKeyAt = [this](int row) {
        const QByteArray key = m_bigModel->item(row, 0)->data(Qt::UserRole + 1).toByteArray();
        return std::make_pair(key, m_model->typeOf(key));
    };
    connect(m_bigView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this, bigKeyAt](const QModelIndex& current) {
                if (current.isValid()) {
                    const auto [key, type] = bigKeyAt(current.row());
                    Q_EMIT keySelected(key, type);
                }
            });
    connect(m_bigView, &QAbstractItemView::activated, this, [this, bigKeyAt](const QModelIndex& index) {
        const auto [key, type] = bigKeyAt(index.row());
        Q_EMIT keyActivated(key, type);
    });
    for (KeyStatsView* v : {m_elements, m_hotKeys}) {
        connect(v, &KeyStatsView::keySelected, this, &MemoryView::keySelected);
        connect(v, &KeyStatsView::keyActivated, this, &MemoryView::keyActivated);
    }
    m_estimate->setObjectName(QStringLiteral("estimateMemoryButton"));
    m_exactButton->setObjectName(QStringLiteral("exactMemoryButton"));
    m_big->setObjectName(QStringLiteral("bigKeysButton"));
    m_cancel->setObjectName(QStringLiteral("cancelMemoryButton"));
    m_cancel->setEnabled(false);
    connect(m_estimate, &QPushButton::clicked, this,
            [this] { estimate(currentNamespace ? currentNamespace() : QModelIndex()); });
    connect(m_exactButton, &QPushButton::clicked, this, [this] {
        const QModelIndexList rows = m_nsView->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            exact(rows.first().row());
    });
    connect(m_big, &QPushButton::clicked, this, &MemoryView::findBigKeys);
    connect(m_cancel, &QPushButton::clicked, this, &MemoryView::cancel);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_estimate);
    buttons->addWidget(m_exactButton);
    buttons->addWidget(m_big);
    buttons->addStretch(1);
    buttons->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(new QLabel(tr("Memory by namespace (biggest first)"), this));
    layout->addWidget(m_nsView, 2);
    auto* rankings = new QTabWidget(this);
    rankings->setObjectName(QStringLiteral("keyRankings"));
    rankings->setDocumentMode(true);
    rankings->addTab(m_bigView, tr("Biggest by memory"));
    rankings->addTab(m_elements, tr("Biggest by elements"));
    rankings->addTab(m_hotKeys, tr("Hot keys"));
    layout->addWidget(rankings, 3);
}

QString MemoryView::hotKeysText() const
{
    return m_hotKeys->noteText();
}

void MemoryView::setSource(Source* source)
{
    if (m_source == source)
        return;
    cancel();
    for (const auto& c : m_connections)
        QObject::disconnect(c);
    m_connections.clear();
    m_source = source;
    m_elements->setSource(source);
    m_hotKeys->setSource(source);
    m_nsModel->removeRows(0, m_nsModel->rowCount());
    m_bigModel->removeRows(0, m_bigModel->rowCount());
    m_rows.clear();
    setStatus(QString());
    if (source)
        m_connections << connect(source, &Source::keyDetailsReady, this, &MemoryView::onDetails)
                      << connect(source, &Source::error, this, &MemoryView::onError);
}

QString MemoryView::statusText() const { return m_status->text(); }

void MemoryView::setStatus(const QString& text) { m_status->setText(text); }

void MemoryView::estimate(const QModelIndex& parentNamespace)
{
    if (!m_source || isBusy())
        return;
    QModelIndex parent = parentNamespace;
    if (parent.isValid() && !m_model->isNamespace(parent))
        parent = parent.parent();
    if (parent.isValid())
        m_model->fetchNow(parent);
    m_rows.clear();
    QList<QByteArray> all;
    quint64 seed = 1;
    for (int r = 0; r < m_model->rowCount(parent); ++r) {
        const QModelIndex child = m_model->index(r, 0, parent);
        if (!m_model->isNamespace(child))
            continue;
        Row row;
        row.name = QString::fromUtf8(m_model->patternAt(child));
        row.pattern = m_model->patternAt(child);
        row.keys = m_model->keyCountAt(child);
        row.sample = m_model->sampleKeys(child, kSamplePerNamespace, seed++);
        row.exact = quint64(row.sample.size()) == row.keys;
        all += row.sample;
        m_rows.append(row);
    }
    if (const quint64 direct = m_model->directKeyCount(parent); direct > 0) {
        Row row;
        row.name = parent.isValid() ? tr("%1 (keys directly here)").arg(QString::fromUtf8(m_model->patternAt(parent)))
                                    : tr("(keys without a namespace)");
        row.keys = direct;
        row.sample = m_model->sampleKeys(parent, kSamplePerNamespace, seed++, /*recursive*/ false);
        row.exact = quint64(row.sample.size()) == row.keys;
        all += row.sample;
        m_rows.append(row);
    }
    m_job = Job::Estimate;
    request(all);
}

QDialog* MemoryView::pendingConfirmation() const
{
    return m_confirm.data();
}

QString MemoryView::doneCostText() const
{
    return m_source ? ReadCostDialog::sentText(m_measured, m_source) : QString();
}

void MemoryView::confirmThen(quint64 keys, const QString& what, std::function<void()> run)
{
    if (m_confirm)
        m_confirm->close();
    auto* dialog = new ReadCostDialog(what, keys, m_source, tr("Measure"), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, run = std::move(run)] {
        if (m_source && !isBusy())
            run();
    });
    connect(dialog, &QDialog::rejected, this, [this] { setStatus(tr("Nothing was measured.")); });
    m_confirm = dialog;
    dialog->open();
}

void MemoryView::exact(int row)
{
    if (!m_source || isBusy() || row < 0 || row >= m_nsModel->rowCount())
        return;
    const int index = m_nsModel->item(row, NsName)->data(Qt::UserRole + 1).toInt();
    if (index < 0 || index >= m_rows.size() || m_rows[index].pattern.isEmpty())
        return;
    // The keys of that namespace as loaded: find it again in the tree by its path (the pattern minus "<sep>*").
    QByteArray path = m_rows[index].pattern;
    path.chop(1 + KeyTreeModel::escapeGlob(m_model->separator()).size());
    QByteArray unescaped;
    for (qsizetype i = 0; i < path.size(); ++i) {
        if (path[i] == '\\' && i + 1 < path.size())
            ++i;
        unescaped += path[i];
    }
    const QModelIndex ns = m_model->indexOfNamespace(unescaped);
    if (ns.isValid())
        measure(ns);
}

void MemoryView::measure(const QModelIndex& ns)
{
    if (!m_source || isBusy() || !ns.isValid() || !m_model->isNamespace(ns))
        return;
    const QByteArray pattern = m_model->patternAt(ns);
    const QPersistentModelIndex where(ns);
    confirmThen(m_model->keyCountAt(ns), tr("Measure the memory of every key in %1?").arg(QString::fromUtf8(pattern)),
                [this, where] { startExact(where); });
}

void MemoryView::startExact(const QModelIndex& ns)
{
    if (!ns.isValid()) {
        setStatus(tr("Nothing was measured: the namespace is no longer in the tree."));
        return;
    }
    const QByteArray pattern = m_model->patternAt(ns);
    int index = -1;
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].pattern == pattern)
            index = i;
    if (index < 0) {
        Row row;
        row.name = QString::fromUtf8(pattern);
        row.pattern = pattern;
        m_rows.append(row);
        index = int(m_rows.size()) - 1;
    }
    m_rows[index].sample = m_model->keysUnder(ns);
    m_rows[index].keys = quint64(m_rows[index].sample.size());
    m_rows[index].exact = true;
    m_exactRow = index;
    m_job = Job::Exact;
    request(m_rows[index].sample);
}

void MemoryView::findBigKeys()
{
    if (!m_source || isBusy())
        return;
    confirmThen(m_model->unknownMemoryCount(), tr("Measure every loaded key whose size is not known yet?"), [this] {
        m_job = Job::BigKeys;
        m_cursor = 0;
        m_toMeasure = m_model->unknownMemoryCount();
        m_measured = 0;
        m_queue.clear();
        m_cancelled = false;
        m_clock.start();
        m_progress.start(qint64(m_toMeasure));
        m_cancel->setEnabled(true);
        pump();
    });
}

void MemoryView::request(const QList<QByteArray>& keys)
{
    m_queue = keys;
    m_toMeasure = quint64(keys.size());
    m_measured = 0;
    m_cancelled = false;
    m_clock.start();
    m_progress.start(qint64(m_toMeasure));
    m_cancel->setEnabled(true);
    pump();
}

void MemoryView::pump()
{
    if (!m_source)
        return;
    while (m_ids.size() < 2 && !m_cancelled) {
        if (m_queue.isEmpty() && m_job == Job::BigKeys)
            m_queue = m_model->keysWithUnknownMemory(m_cursor, kDetailChunk * 4);
        if (m_queue.isEmpty())
            break;
        const QList<QByteArray> chunk = m_queue.mid(0, kDetailChunk);
        m_queue.remove(0, chunk.size());
        const quint64 id = nextKeysRequestId();
        m_ids.insert(id);
        QPointer<Source> source = m_source;
        QMetaObject::invokeMethod(source, [source, id, chunk] {
            if (source)
                source->keyDetails(id, chunk);
        }, Qt::QueuedConnection);
    }
    const QLocale locale;
    m_progress.update(qint64(m_measured));
    const QString counts = tr("Measuring… %1 of %2 keys").arg(locale.toString(m_measured), locale.toString(m_toMeasure));
    setStatus(m_measured > 0 ? m_progress.line(counts, tr("keys"), locale) : counts);
    if (m_ids.isEmpty())
        complete();
}

void MemoryView::onDetails(const KeyBatch& batch)
{
    if (!m_ids.contains(batch.requestId))
        return;
    m_model->applyDetails(batch.keys);
    if (batch.error.isError()) {
        onError(batch.requestId, batch.error);
        return;
    }
    m_ids.remove(batch.requestId);
    m_measured += quint64(batch.keys.size());
    pump();
}

void MemoryView::onError(quint64 requestId, const SourceError& error)
{
    if (!m_ids.remove(requestId))
        return;
    m_cancelled = true;
    m_queue.clear();
    setStatus(tr("Stopped: %1").arg(error.message));
    if (m_ids.isEmpty()) {
        m_job = Job::None;
        m_cancel->setEnabled(false);
        Q_EMIT finished();
    }
}

void MemoryView::cancel()
{
    if (!isBusy())
        return;
    m_cancelled = true;
    m_queue.clear();
    if (m_ids.isEmpty())
        complete();
}

void MemoryView::complete()
{
    const Job job = m_job;
    m_job = Job::None;
    m_cancel->setEnabled(false);
    const QLocale locale;
    if (job == Job::Estimate || job == Job::Exact) {
        fillNamespaces();
        if (job == Job::Exact && m_exactRow >= 0)
            setStatus(tr("Exact for %1: %2 keys measured%3%4.")
                          .arg(m_rows[m_exactRow].name, locale.toString(m_measured), doneCostText(),
                               m_cancelled ? tr(", cancelled (the figure covers those only)") : QString()));
        else
            setStatus(tr("Estimated from %1 sampled keys (up to %2 per namespace)%3; ± is a 95 % bound.")
                          .arg(locale.toString(m_measured), locale.toString(kSamplePerNamespace),
                               m_cancelled ? tr(", cancelled") : QString()));
    } else if (job == Job::BigKeys) {
        fillBigKeys();
        setStatus(tr("Measured %1 of %2 keys%3%4. Element counts: the \"Biggest by elements\" tab.")
                      .arg(locale.toString(m_measured), locale.toString(m_toMeasure), doneCostText(),
                           m_cancelled ? tr(", cancelled (the list covers those only)") : QString()));
    }
    Q_EMIT finished();
}

void MemoryView::fillNamespaces()
{
    const QLocale locale;
    m_nsModel->removeRows(0, m_nsModel->rowCount());
    for (int i = 0; i < m_rows.size(); ++i) {
        const Row& row = m_rows[i];
        double sum = 0, sumSq = 0;
        int n = 0;
        for (const QByteArray& k : row.sample) {
            const qint64 m = m_model->memoryOf(k);
            if (m < 0)
                continue;
            sum += double(m);
            sumSq += double(m) * double(m);
            ++n;
        }
        const double mean = n ? sum / n : 0;
        const double var = n > 1 ? std::max(0.0, (sumSq - n * mean * mean) / (n - 1)) : 0;
        const double N = double(row.keys);
        const bool exact = row.exact && quint64(n) == row.keys;
        const double estimate = exact ? sum : mean * N;
        // 95 % bound on the total: 1.96 · N · s/√n · √((N − n)/(N − 1)).
        const double fpc = N > 1 ? std::sqrt(std::max(0.0, (N - n) / (N - 1))) : 0;
        const double bound = (exact || n == 0) ? 0 : 1.96 * N * std::sqrt(var / n) * fpc;
        auto* name = textItem(row.name);
        name->setData(estimate, Qt::UserRole);
        name->setData(i, Qt::UserRole + 1);
        m_nsModel->appendRow({name, numberItem(N, locale.toString(row.keys)),
                              numberItem(n, exact ? tr("all") : locale.toString(n)),
                              numberItem(estimate, n ? formatBytes(qint64(estimate), 1, locale) : tr("unknown")),
                              numberItem(bound, exact ? tr("exact") : n ? formatBytes(qint64(bound), 1, locale) : QString())});
    }
    m_nsModel->sort(NsMemory, Qt::DescendingOrder);
}

void MemoryView::fillBigKeys()
{
    const QLocale locale;
    m_bigModel->removeRows(0, m_bigModel->rowCount());
    for (const auto& [key, bytes] : m_model->biggestKeys(kBigKeys)) {
        auto* name = textItem(KeyTreeModel::displayKey(key));
        name->setData(key, Qt::UserRole + 1);   // exact bytes
        const KeyType type = m_model->typeOf(key);
        m_bigModel->appendRow({name, textItem(type == KeyType::Unknown || type == KeyType::None ? QString() : keyTypeName(type)),
                               numberItem(double(bytes), formatBytes(bytes, 1, locale))});
    }
}

} // namespace cachelens::ui
