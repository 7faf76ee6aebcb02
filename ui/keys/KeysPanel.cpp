#include "ui/keys/KeysPanel.h"

#include "connectors/Source.h"
#include "connectors/invalidate/GlobCheck.h"
#include "ui/Icons.h"
#include "ui/keys/DeleteConfirmDialog.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/MemoryView.h"
#include "ui/keys/ReadCostDialog.h"
#include "ui/keys/RequestIds.h"
#include "ui/keys/TtlDialog.h"
#include "ui/keys/ValueViewer.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace cachelens::ui {

KeysPanel::KeysPanel(QWidget* parent)
    : Panel(parent),
      m_model(new KeyTreeModel(m_keys, this)),
      m_view(new QTreeView(this)),
      m_viewer(new ValueViewer(this)),
      m_memory(new MemoryView(m_model, this)),
      m_glob(new QLineEdit(this)),
      m_filter(new QLineEdit(this)),
      m_type(new QComboBox(this)),
      m_scanButton(new QPushButton(tr("Scan"), this)),
      m_cancelButton(new QPushButton(tr("Cancel"), this)),
      m_progress(new QLabel(this)),
      m_progressBar(new QProgressBar(this)),
      m_status(new QLabel(this)),
      m_readOnlyNote(new QLabel(this)),
      m_ttlTick(new QTimer(this)),
      m_filterDelay(new QTimer(this)),
      m_ingest(new QTimer(this)),
      m_pageCheck(new QTimer(this)),
      m_detailCheck(new QTimer(this))
{
    setObjectName(QStringLiteral("keysPanel"));
    qRegisterMetaType<KeyBatch>();
    qRegisterMetaType<ScanSummary>();
    qRegisterMetaType<KeyOpResult>();
    qRegisterMetaType<SourceError>();
    qRegisterMetaType<ValuePage>();
    qRegisterMetaType<KeyStatsBatch>();
    buildUi();
    connect(m_model, &KeyTreeModel::countsChanged, this, [this] {
        if (!isScanning())
            m_progress->setText(progressText());
    });
    connect(m_model, &KeyTreeModel::rebuildFinished, this, [this] { m_progress->setText(progressText()); });
    connect(m_model, &KeyTreeModel::sortingChanged, this, [this](bool sorting) {
        if (!isScanning())
            m_progress->setText(progressText());
        if (!sorting)
            revealKey();   // its namespace is in order now: where the key really is
        if (!sorting && m_doneAfterSort) {
            const auto [total, cancelled] = *m_doneAfterSort;
            m_doneAfterSort.reset();
            Q_EMIT scanDone(total, cancelled);
        }
    });
    m_ttlTick->setInterval(1000);
    connect(m_ttlTick, &QTimer::timeout, m_view->viewport(), qOverload<>(&QWidget::update));   // live TTL countdown
    m_ttlTick->start();
    m_ingest->setInterval(0);
    connect(m_ingest, &QTimer::timeout, this, &KeysPanel::ingest);
    // Big nodes show their rows a page at a time: whenever the view may have come to the last shown row of one
    // (scrolled, rows added or removed, re-sorted), check once on the next turn of the event loop. The same events
    // may bring rows without details on screen: those are asked for a moment later, once (a fast scroll through a
    // namespace does not ask for every row that flew by).
    m_pageCheck->setSingleShot(true);
    m_pageCheck->setInterval(0);
    connect(m_pageCheck, &QTimer::timeout, this, &KeysPanel::showMoreRowsInView);
    m_detailCheck->setSingleShot(true);
    m_detailCheck->setInterval(50);
    connect(m_detailCheck, &QTimer::timeout, this, &KeysPanel::fetchVisibleDetails);
    const auto checkPages = [this] {
        m_pageCheck->start();
        if (!m_detailCheck->isActive())
            m_detailCheck->start();
    };
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, checkPages);
    connect(m_view->verticalScrollBar(), &QScrollBar::rangeChanged, this, checkPages);
    connect(m_view, &QTreeView::expanded, this, checkPages);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, checkPages);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, checkPages);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, checkPages);
    connect(m_model, &QAbstractItemModel::modelReset, this, checkPages);
    m_view->viewport()->installEventFilter(this);
    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(120);
    connect(m_filterDelay, &QTimer::timeout, this, [this] { setClientFilter(m_filter->text()); });
    updateActions();
}

KeysPanel::~KeysPanel()
{
    // The model adapts m_keys, which goes with this object's members, before QObject deletes the children: the
    // model and what looks at it go first.
    delete m_memory;
    delete m_view;
    delete m_model;
}

QIcon KeysPanel::icon() const
{
    return themedIcon(nullptr, "keys");
}

void KeysPanel::buildUi()
{
    m_glob->setObjectName(QStringLiteral("serverGlob"));
    m_glob->setPlaceholderText(tr("MATCH glob, e.g. character:*"));
    m_glob->setToolTip(tr("Server-side filter: only keys matching this glob are scanned (SCAN MATCH)"));
    m_glob->setClearButtonEnabled(true);
    connect(m_glob, &QLineEdit::returnPressed, this, &KeysPanel::startScan);
    m_filter->setObjectName(QStringLiteral("clientFilter"));
    m_filter->setPlaceholderText(tr("Filter loaded keys"));
    m_filter->setToolTip(tr("Instant filter on the keys already loaded (substring, case-insensitive)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_filterDelay, qOverload<>(&QTimer::start));
    m_type->setObjectName(QStringLiteral("typeFilter"));
    m_type->addItem(tr("All types"), int(KeyType::Unknown));
    for (KeyType t : {KeyType::String, KeyType::Hash, KeyType::List, KeyType::Set, KeyType::ZSet, KeyType::Stream})
        m_type->addItem(keyTypeName(t), int(t));
    connect(m_type, &QComboBox::activated, this, [this](int i) { setTypeFilter(KeyType(m_type->itemData(i).toInt())); });
    m_scanButton->setObjectName(QStringLiteral("scanButton"));
    m_scanButton->setIcon(themedIcon("view-refresh", "refresh"));
    m_scanButton->setToolTip(tr("Scan the keyspace again (F5)"));
    connect(m_scanButton, &QPushButton::clicked, this, &KeysPanel::startScan);
    m_cancelButton->setObjectName(QStringLiteral("cancelScanButton"));
    m_cancelButton->setIcon(themedIcon("process-stop", "cachelens"));
    connect(m_cancelButton, &QPushButton::clicked, this, &KeysPanel::cancelScan);
    m_progress->setObjectName(QStringLiteral("scanProgress"));
    m_progressBar->setObjectName(QStringLiteral("scanProgressBar"));
    m_progressBar->setMaximumWidth(200);
    m_progressBar->setTextVisible(false);
    m_progressBar->setVisible(false);
    m_status->setObjectName(QStringLiteral("keysStatus"));
    m_status->setWordWrap(true);
    m_readOnlyNote->setObjectName(QStringLiteral("readOnlyNote"));
    m_readOnlyNote->setVisible(false);

    m_view->setObjectName(QStringLiteral("keyTree"));
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true);   // needed for millions of rows
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(KeyTreeModel::NameColumn, Qt::AscendingOrder);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(KeyTreeModel::NameColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(KeyTreeModel::NameColumn, 260);
    m_view->setColumnWidth(KeyTreeModel::KeysColumn, 90);
    m_view->setColumnWidth(KeyTreeModel::TypeColumn, 70);
    m_view->setColumnWidth(KeyTreeModel::TtlColumn, 100);
    m_view->setColumnWidth(KeyTreeModel::MemoryColumn, 90);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &KeysPanel::onSelectionChanged);
    connect(m_view, &QTreeView::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu(this);
        menu.addAction(m_copy);
        menu.addAction(m_copyPattern);
        menu.addAction(m_measure);
        menu.addSeparator();
        menu.addAction(m_ttl);
        menu.addAction(m_delete);
        menu.addSeparator();
        menu.addAction(m_invalidate);
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });

    m_copy = new QAction(themedIcon("edit-copy", "cachelens"), tr("&Copy Key"), this);
    m_copy->setObjectName(QStringLiteral("copyKeyAction"));
    m_copy->setShortcut(QKeySequence::Copy);
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_copy, &QAction::triggered, this, &KeysPanel::copySelected);
    m_copyPattern = new QAction(tr("Copy Namespace &Pattern"), this);
    m_copyPattern->setObjectName(QStringLiteral("copyPatternAction"));
    connect(m_copyPattern, &QAction::triggered, this, &KeysPanel::copyPattern);
    m_delete = new QAction(themedIcon("edit-delete", "invalidate"), tr("&Delete…"), this);
    m_delete->setObjectName(QStringLiteral("deleteAction"));
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_delete, &QAction::triggered, this, &KeysPanel::deleteSelected);
    m_ttl = new QAction(themedIcon("chronometer", "cachelens"), tr("Set &TTL…"), this);
    m_ttl->setObjectName(QStringLiteral("ttlAction"));
    m_ttl->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_ttl->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_ttl, &QAction::triggered, this, &KeysPanel::editTtlOfSelected);
    m_measure = new QAction(tr("Measure &Memory…"), this);
    m_measure->setObjectName(QStringLiteral("measureMemoryAction"));
    m_measure->setToolTip(tr("Measure every key of this namespace (MEMORY USAGE) and show its total; says what that "
                             "costs the server first"));
    connect(m_measure, &QAction::triggered, this, [this] {
        const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
        if (rows.size() != 1 || !m_model->isNamespace(rows.first()))
            return;
        m_tabs->setCurrentWidget(m_memory);   // its progress and Cancel are there
        m_memory->measure(rows.first());
    });
    connect(m_memory, &MemoryView::finished, this, &KeysPanel::updateActions);
    m_invalidate = new QAction(themedIcon(nullptr, "invalidate"), tr("Open in &Invalidate"), this);
    m_invalidate->setObjectName(QStringLiteral("openInvalidateAction"));
    connect(m_invalidate, &QAction::triggered, this, &KeysPanel::openSelectedInInvalidate);
    auto* cancelShortcut = new QAction(this);
    cancelShortcut->setShortcut(QKeySequence::Cancel);
    cancelShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(cancelShortcut, &QAction::triggered, this, &KeysPanel::cancelScan);
    addActions({m_copy, m_delete, m_ttl, cancelShortcut});

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Match:"), this));
    bar->addWidget(m_glob, 2);
    bar->addWidget(m_scanButton);
    bar->addWidget(m_cancelButton);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Filter:"), this));
    bar->addWidget(m_filter, 2);
    bar->addWidget(m_type);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_progressBar);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_view, 1);
    auto* splitter = new QSplitter(this);
    splitter->addWidget(left);
    auto* right = new QTabWidget(this);
    m_tabs = right;
    right->setObjectName(QStringLiteral("keysDetailTabs"));
    right->setDocumentMode(true);
    right->addTab(m_viewer, tr("Value"));
    right->addTab(m_memory, tr("Memory"));
    m_memory->currentNamespace = [this] {
        const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
        return rows.size() == 1 ? rows.first() : QModelIndex();
    };
    // A key picked in a ranking (big keys, hot keys) is shown where it lives in the tree and in the value viewer.
    connect(m_memory, &MemoryView::keySelected, this, &KeysPanel::showKey);
    connect(m_memory, &MemoryView::keyActivated, this, [this](const QByteArray& key, KeyType type) {
        showKey(key, type);
        m_tabs->setCurrentWidget(m_viewer);
    });
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({600, 400});   // scaled to the real width when first laid out

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addLayout(progressRow);
    layout->addWidget(m_readOnlyNote);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);
}

void KeysPanel::setConnection(const ConnectionEntry& entry)
{
    const bool separatorChanged = entry.separator != m_entry.separator;
    m_entry = entry;
    if (separatorChanged)
        m_model->setSeparator(entry.separator.toUtf8());
    updateActions();
}

void KeysPanel::setSource(Source* source)
{
    if (m_source == source)
        return;
    cancelScan();
    for (const auto& c : m_sourceConnections)
        QObject::disconnect(c);
    m_sourceConnections.clear();
    m_source = source;
    m_scanId = 0;
    m_incoming.clear();
    m_incomingOffset = 0;
    m_finished.reset();
    m_ingest->stop();
    m_visibleQueue.clear();
    m_typeQueue.clear();
    m_detailRequests.clear();
    m_detailAsked.clear();
    m_reveal.clear();
    m_ops.clear();
    m_model->clear();
    m_viewer->setSource(source);
    m_memory->setSource(source);
    setStatus(QString());
    if (source) {
        m_sourceConnections << connect(source, &Source::keysFound, this, &KeysPanel::onKeysFound)
                            << connect(source, &Source::scanFinished, this, &KeysPanel::onScanFinished)
                            << connect(source, &Source::keyDetailsReady, this, &KeysPanel::onDetails)
                            << connect(source, &Source::keysChanged, this, &KeysPanel::onKeysChanged)
                            << connect(source, &Source::error, this, &KeysPanel::onError);
        startScan();
    }
    m_progress->setText(progressText());
    updateActions();
}

void KeysPanel::refresh()
{
    startScan();
}

void KeysPanel::setServerGlob(const QString& glob)
{
    m_glob->setText(glob);
}

void KeysPanel::startScan()
{
    if (!m_source)
        return;
    // The same check as the Invalidate panel and cachelensctl: a glob Redis would read otherwise than typed (an
    // unclosed class matches nothing) is refused, and the tree on screen stays.
    if (const QByteArray typed = m_glob->text().toUtf8(); !typed.isEmpty()) {
        if (const QString problem = globProblem(typed); !problem.isEmpty()) {
            setStatus(tr("Not scanned: %1").arg(problem));
            return;
        }
    }
    if (m_scanId) {
        const quint64 old = m_scanId;
        callSource(m_source, [old](Source* s) { s->cancel(old); });
    }
    m_model->clear();
    m_viewer->load({});
    m_incoming.clear();
    m_incomingOffset = 0;
    m_finished.reset();
    m_doneAfterSort.reset();
    m_ingest->stop();
    m_visibleQueue.clear();
    m_typeQueue.clear();
    m_detailRequests.clear();
    m_detailAsked.clear();
    m_reveal.clear();
    m_typeCursor = 0;
    m_scanId = nextKeysRequestId();
    m_scanned = 0;
    m_estimate = 0;
    m_scanClock.start();
    QByteArray glob = m_glob->text().toUtf8();
    if (glob.isEmpty())
        glob = QByteArrayLiteral("*");
    const quint64 id = m_scanId;
    callSource(m_source, [id, glob](Source* s) { s->scan(id, glob, kScanPageSize); });
    m_progressBar->setVisible(true);
    m_progressBar->setRange(0, 0);
    m_progress->setText(tr("Scanning %1…").arg(QString::fromUtf8(glob)));
    updateActions();
    Q_EMIT scanStarted();
}

void KeysPanel::cancelScan()
{
    if (!m_scanId || !m_source)
        return;
    const quint64 id = m_scanId;
    callSource(m_source, [id](Source* s) { s->cancel(id); });
}

void KeysPanel::onKeysFound(const KeyBatch& batch)
{
    if (batch.requestId != m_scanId || !m_scanId)
        return;
    if (m_estimate == 0 && batch.estimatedTotal > 0 && !batch.keys.isEmpty()) {
        const quint64 avg = quint64(batch.keys.first().key.size()) + 8;
        m_model->reserve(batch.estimatedTotal + batch.estimatedTotal / 50, (batch.estimatedTotal + batch.estimatedTotal / 50) * avg);
    }
    m_incoming.append(batch.keys);
    if (!m_ingest->isActive())
        m_ingest->start();
    m_scanned = batch.scannedSoFar;
    m_estimate = batch.estimatedTotal;
    if (m_estimate > 0) {
        m_progressBar->setRange(0, 1000);
        m_progressBar->setValue(int(std::min<quint64>(1000, m_scanned * 1000 / m_estimate)));
    }
    m_progress->setText(progressText());
    if (m_model->filterType() != KeyType::Unknown)
        pumpDetails();
}

void KeysPanel::showMoreRowsInView()
{
    // A node whose last shown row is in view and that holds more rows shows its next page.
    QList<QPersistentModelIndex> parents;   // namespaces (persistent: showing rows of one may move another)
    bool root = false;
    const int bottom = m_view->viewport()->height();
    QModelIndex row = m_view->indexAt(QPoint(0, 0));
    for (int n = 0; row.isValid() && n < 1000 && m_view->visualRect(row).top() < bottom; ++n, row = m_view->indexBelow(row)) {
        const QModelIndex parent = row.parent();
        if (row.row() != m_model->rowCount(parent) - 1 || m_model->hiddenRowCount(parent) == 0)
            continue;
        if (parent.isValid())
            parents.append(parent);
        else
            root = true;
    }
    for (const QPersistentModelIndex& parent : parents)
        if (parent.isValid())
            m_model->showMoreRows(parent);
    if (root)
        m_model->showMoreRows();
}

QString KeysPanel::progressText() const
{
    const QLocale locale;
    if (!m_source)
        return tr("No connection.");
    if (m_scanId) {
        const double seconds = std::max<double>(0.001, double(m_scanClock.elapsed()) / 1000.0);
        const double rate = double(m_scanned) / seconds;
        QString text = m_estimate > 0 ? tr("%1 of ~%2 keys").arg(locale.toString(m_scanned), locale.toString(m_estimate))
                                      : tr("%1 keys").arg(locale.toString(m_scanned));
        text += tr(" · %1 keys/s").arg(locale.toString(qRound64(rate)));
        if (m_estimate > m_scanned && rate > 0)
            text += tr(" · about %1 s left").arg(locale.toString(qRound64(double(m_estimate - m_scanned) / rate)));
        return text;
    }
    QString text = tr("%1 keys loaded in %2 namespaces")
                       .arg(locale.toString(m_model->loadedKeys()), locale.toString(m_model->namespaceCount()));
    if (m_model->isRebuilding())
        text += tr(" · filtering…");
    else if (m_model->isSorting())
        text += tr(" · sorting…");
    else if (!m_model->filterText().isEmpty() || m_model->filterType() != KeyType::Unknown)
        text += tr(" · %1 match the filter").arg(locale.toString(m_model->visibleKeys()));
    if (const quint64 hidden = m_model->hiddenRowCount(); hidden > 0)
        text += tr(" · the first %1 of %2 top-level rows are listed, more as you scroll")
                    .arg(locale.toString(m_model->rowCount()), locale.toString(quint64(m_model->rowCount()) + hidden));
    if (m_model->filterType() != KeyType::Unknown) {
        const quint64 unknown = m_model->unknownTypeCount();
        if (unknown > 0)
            text += tr(" · type not known yet for %1").arg(locale.toString(unknown));
    }
    return text;
}

void KeysPanel::ingest()
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
        finishScan(summary);
    }
}

void KeysPanel::onScanFinished(const ScanSummary& summary)
{
    if (summary.requestId != m_scanId || !m_scanId)
        return;
    if (!m_incoming.isEmpty()) {
        m_finished = summary;   // reported when the last keys are in the tree
        return;
    }
    finishScan(summary);
}

void KeysPanel::finishScan(const ScanSummary& summary)
{
    m_scanId = 0;
    m_progressBar->setVisible(false);
    m_model->sort(m_view->header()->sortIndicatorSection(), m_view->header()->sortIndicatorOrder());
    const QLocale locale;
    const QString seconds = locale.toString(double(m_scanClock.elapsed()) / 1000.0, 'f', 1);
    QString text;
    if (summary.error.isError())
        text = tr("Scan stopped after %1 keys: %2").arg(locale.toString(summary.total), summary.error.message);
    else if (summary.cancelled)
        text = tr("Scan cancelled after %1 keys (%2 s); the tree shows what was found.").arg(locale.toString(summary.total), seconds);
    else
        text = tr("Scanned %1 keys in %2 s.").arg(locale.toString(summary.total), seconds);
    setStatus(text);
    m_progress->setText(progressText());
    updateActions();
    if (m_model->isSorting()) {
        m_doneAfterSort = std::make_pair(summary.total, summary.cancelled);   // the tree is whole once it is in order
        return;
    }
    Q_EMIT scanDone(summary.total, summary.cancelled);
}

bool KeysPanel::isFetchingDetails() const
{
    return m_detailCheck->isActive() || !m_detailRequests.isEmpty() || !m_visibleQueue.isEmpty()
           || !m_typeQueue.isEmpty();
}

bool KeysPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && (event->type() == QEvent::Resize || event->type() == QEvent::Show)
        && !m_detailCheck->isActive())
        m_detailCheck->start();   // more rows may be on screen
    return Panel::eventFilter(watched, event);
}

void KeysPanel::fetchVisibleDetails()
{
    // The rows on screen, and kDetailMargin rows above and below, whose details have not arrived and are not on the
    // way: a scroll of a row or two finds them known already. While a big namespace is sorted in slices the rows on
    // screen are about to change: its end (a layout change) checks again.
    if (m_model->isSorting()) {
        m_visibleQueue.clear();
        return;
    }
    QList<QByteArray> wanted;
    const auto want = [&](const QModelIndex& row) {
        if (!m_model->needsDetails(row))
            return;
        QByteArray key = m_model->keyAt(row);
        if (!m_detailAsked.contains(key))
            wanted.append(std::move(key));
    };
    const QModelIndex top = m_view->indexAt(QPoint(0, 0));
    QModelIndex row = top;
    for (int n = 0; row.isValid() && n < kDetailMargin; ++n) {
        row = m_view->indexAbove(row);
        want(row);
    }
    const int bottom = m_view->viewport()->height();
    row = top;
    int below = 0;
    for (int n = 0; row.isValid() && below < kDetailMargin && n < 1000; ++n, row = m_view->indexBelow(row)) {
        want(row);
        if (m_view->visualRect(row).bottom() >= bottom)
            ++below;
    }
    m_visibleQueue = wanted;   // what scrolled away meanwhile is not asked for any more
    pumpDetails();
}

void KeysPanel::pumpDetails()
{
    if (!m_source)
        return;
    while (m_detailRequests.size() < kDetailsInFlight) {
        QList<QByteArray>* queue = &m_visibleQueue;   // the screen first, then the type filter's background fetch
        if (queue->isEmpty()) {
            if (m_typeQueue.isEmpty() && m_model->filterType() != KeyType::Unknown)
                m_typeQueue = m_model->keysWithUnknownType(m_typeCursor, kDetailChunk * 4);
            queue = &m_typeQueue;
        }
        QList<QByteArray> chunk;
        while (!queue->isEmpty() && chunk.size() < kDetailChunk) {
            QByteArray key = queue->takeFirst();
            if (!m_detailAsked.contains(key))
                chunk.append(std::move(key));
        }
        if (chunk.isEmpty()) {
            if (m_visibleQueue.isEmpty() && m_typeQueue.isEmpty())
                return;
            continue;
        }
        const quint64 id = nextKeysRequestId();
        m_detailRequests.insert(id, chunk);
        for (const QByteArray& key : std::as_const(chunk))
            m_detailAsked.insert(key);
        callSource(m_source, [id, chunk](Source* s) { s->keyDetails(id, chunk); });
    }
}

void KeysPanel::onDetails(const KeyBatch& batch)
{
    const auto it = m_detailRequests.find(batch.requestId);
    if (it == m_detailRequests.end())
        return;
    for (const QByteArray& key : std::as_const(*it))
        m_detailAsked.remove(key);
    m_detailRequests.erase(it);
    m_model->applyDetails(batch.keys);
    if (batch.error.isError())
        setStatus(tr("Could not read key details: %1").arg(batch.error.message));
    pumpDetails();
    if (m_model->filterType() != KeyType::Unknown)
        m_progress->setText(progressText());
    Q_EMIT detailsApplied();
}

void KeysPanel::setClientFilter(const QString& text)
{
    if (m_filter->text() != text)
        m_filter->setText(text);
    m_filterDelay->stop();
    m_model->setFilter(text, m_model->filterType());
    m_progress->setText(progressText());
}

QDialog* KeysPanel::pendingConfirmation() const
{
    return m_confirm.data();
}

void KeysPanel::setTypeFilter(KeyType type)
{
    // The filter needs the type of every loaded key: beyond a screenful that is a read of many keys, said first.
    const quint64 unknown = type == KeyType::Unknown ? 0 : m_model->unknownTypeCount();
    if (unknown > kAskAboveKeys && m_source && m_source->detailCost().commandsPerKey > 0) {
        if (m_confirm)
            m_confirm->close();
        auto* dialog = new ReadCostDialog(tr("Show only %1 keys? The type of every loaded key must be read first.")
                                              .arg(keyTypeName(type)),
                                          unknown, m_source, tr("Filter"), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, type] { applyTypeFilter(type); });
        connect(dialog, &QDialog::rejected, this, [this] {
            m_type->setCurrentIndex(m_type->findData(int(m_model->filterType())));   // back to what it shows
            setStatus(tr("The type filter was left as it was."));
        });
        m_confirm = dialog;
        dialog->open();
        return;
    }
    applyTypeFilter(type);
}

void KeysPanel::applyTypeFilter(KeyType type)
{
    m_type->setCurrentIndex(m_type->findData(int(type)));
    m_model->setFilter(m_model->filterText(), type);
    m_typeCursor = 0;
    m_typeQueue.clear();
    pumpDetails();
    m_progress->setText(progressText());
}

QList<QByteArray> KeysPanel::selectedKeys() const
{
    QList<QByteArray> keys;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    // A namespace and keys inside it may both be selected: keep each key once.
    QSet<QByteArray> seen;
    for (const QModelIndex& index : rows)
        for (const QByteArray& k : m_model->keysUnder(index))
            if (!seen.contains(k)) {
                seen.insert(k);
                keys.append(k);
            }
    return keys;
}

QString KeysPanel::selectionDescription() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    QStringList parts;
    for (const QModelIndex& index : rows.mid(0, 3))
        parts << (m_model->isNamespace(index) ? QString::fromUtf8(m_model->patternAt(index))
                                              : KeyTreeModel::displayKey(m_model->keyAt(index)));
    if (rows.size() > 3)
        parts << tr("…");
    return parts.join(QStringLiteral(", "));
}

void KeysPanel::onSelectionChanged()
{
    updateActions();
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    if (!m_reveal.isEmpty() && !(rows.size() == 1 && m_model->keyAt(rows.first()) == m_reveal))
        m_reveal.clear();   // the user chose something else meanwhile
    if (rows.size() == 1 && !m_model->isNamespace(rows.first())) {
        const QModelIndex index = rows.first();
        const QByteArray key = m_model->keyAt(index);
        if (key != m_viewer->key())
            m_viewer->load(key, KeyType(m_model->data(index, KeyTreeModel::TypeRole).toInt()));
    }
    Q_UNUSED(current);
}

void KeysPanel::showKey(const QByteArray& key, KeyType type)
{
    m_reveal = key;
    revealKey();
    if (key != m_viewer->key())
        m_viewer->load(key, type);
}

void KeysPanel::revealKey()
{
    if (m_reveal.isEmpty())
        return;
    const QByteArray key = m_reveal;
    const QModelIndex index = m_model->indexOfKey(key);   // invalid when the client-side filter hides it
    if (index.isValid()) {
        m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
        m_view->scrollTo(index);
    }
    // A namespace too big to sort at once (KeyTreeModel::kSyncSortRows) is put in order in slices after its rows
    // were built, and the row scrolled to above holds another key by then: sortingChanged(false) shows it again.
    if (!m_model->isSorting())
        m_reveal.clear();
}

void KeysPanel::openKey(const QByteArray& key)
{
    const KeyType type = m_model->typeOf(key);
    if (type == KeyType::None) {
        setStatus(tr("No key %1 was loaded from %2.").arg(KeyTreeModel::displayKey(key), m_entry.name));
        return;
    }
    m_tabs->setCurrentWidget(m_viewer);
    showKey(key, type);
}

void KeysPanel::updateActions()
{
    const QModelIndexList rows = m_view->selectionModel() ? m_view->selectionModel()->selectedRows(0) : QModelIndexList();
    const bool any = !rows.isEmpty() && m_source;
    bool anyNamespace = false;
    for (const QModelIndex& i : rows)
        anyNamespace |= m_model->isNamespace(i);
    m_copy->setEnabled(!rows.isEmpty());
    m_copyPattern->setEnabled(!rows.isEmpty());
    m_invalidate->setEnabled(rows.size() == 1 && anyNamespace && m_source);
    m_measure->setEnabled(rows.size() == 1 && anyNamespace && m_source && !m_memory->isBusy());
    const bool writable = !m_entry.readOnly;
    m_delete->setEnabled(any && writable);
    m_ttl->setEnabled(any && writable);
    const QString reason = tr("%1 is a read-only connection: deleting and TTL changes are disabled.").arg(m_entry.name);
    m_delete->setToolTip(writable ? tr("Delete the selected keys (asks for confirmation)") : reason);
    m_ttl->setToolTip(writable ? tr("Set, extend or remove the TTL of the selected keys") : reason);
    m_viewer->setEditPolicy(writable, reason, m_entry.production, m_entry.name);
    m_readOnlyNote->setVisible(!writable);
    m_readOnlyNote->setText(reason);
    m_cancelButton->setEnabled(isScanning());
    m_scanButton->setEnabled(m_source != nullptr);
}

void KeysPanel::setStatus(const QString& text)
{
    m_status->setText(text);
}

QString KeysPanel::statusText() const
{
    return m_status->text();
}

void KeysPanel::copySelected()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    if (rows.isEmpty())
        return;
    QApplication::clipboard()->setMimeData(m_model->mimeData(rows));
}

void KeysPanel::copyPattern()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    QStringList patterns;
    for (const QModelIndex& index : rows)
        patterns << QString::fromUtf8(m_model->isNamespace(index) ? m_model->patternAt(index)
                                                                  : KeyTreeModel::escapeGlob(m_model->keyAt(index)));
    QApplication::clipboard()->setText(patterns.join(QLatin1Char('\n')));
}

void KeysPanel::openSelectedInInvalidate()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    if (rows.size() != 1 || !m_source)
        return;
    Q_EMIT openInInvalidate(m_source->id(), m_model->isNamespace(rows.first())
                                                ? m_model->patternAt(rows.first())
                                                : KeyTreeModel::escapeGlob(m_model->keyAt(rows.first())));
}

void KeysPanel::deleteSelected()
{
    deleteKeys(selectedKeys());
}

void KeysPanel::deleteKeys(const QList<QByteArray>& keys)
{
    if (!m_source || m_entry.readOnly || keys.isEmpty())
        return;
    QStringList sample;
    for (const QByteArray& k : keys.mid(0, 10))
        sample << KeyTreeModel::displayKey(k);
    auto* dialog = new DeleteConfirmDialog(quint64(keys.size()), sample, m_entry.name, m_entry.production, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, keys] {
        if (!m_source)
            return;
        const quint64 id = nextKeysRequestId();
        m_ops.insert(id, Op{OpKind::Delete, keys, 0});
        setStatus(tr("Deleting %1 keys…").arg(QLocale().toString(keys.size())));
        callSource(m_source, [id, keys, confirmation = dialog->confirmation()](Source* s) { s->remove(id, keys, confirmation); });
    });
    dialog->open();
}

void KeysPanel::editTtlOfSelected()
{
    if (!m_source || m_entry.readOnly)
        return;
    const QList<QByteArray> keys = selectedKeys();
    if (keys.isEmpty())
        return;
    qint64 current = -2;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    if (keys.size() == 1 && rows.size() == 1 && !m_model->isNamespace(rows.first()))
        current = m_model->data(rows.first(), KeyTreeModel::TtlMsRole).toLongLong();
    auto* dialog = new TtlDialog(quint64(keys.size()), selectionDescription(), current, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_entry.production)
        dialog->requireTypedName(m_entry.name);
    // A TTL of zero or less means "delete": offered as such, through the delete confirmation.
    connect(dialog, &TtlDialog::deleteInsteadRequested, this, [this, keys] { deleteKeys(keys); });
    connect(dialog, &QDialog::accepted, this, [this, dialog, keys] {
        const qint64 ttl = dialog->ttlMs();
        if (!m_source || ttl == 0)
            return;
        const quint64 id = nextKeysRequestId();
        m_ops.insert(id, Op{OpKind::Ttl, keys, ttl});
        setStatus(tr("%1…").arg(dialog->summary()));
        callSource(m_source, [id, keys, ttl, confirmation = dialog->confirmation()](Source* s) {
            s->setTtl(id, keys, ttl, confirmation);
        });
    });
    dialog->open();
}

void KeysPanel::onKeysChanged(const KeyOpResult& result)
{
    const auto it = m_ops.find(result.requestId);
    if (it == m_ops.end())
        return;
    const Op op = *it;
    m_ops.erase(it);
    const QLocale locale;
    QString text;
    if (op.kind == OpKind::Delete) {
        // What the server no longer has, whether we removed it or it was already gone; a stop midway leaves the
        // tree as it was for the keys not reached (a re-scan shows the truth).
        if (!result.error.isError())
            m_model->removeKeys(op.keys);
        text = tr("Deleted %1 of %2 keys").arg(locale.toString(result.affected), locale.toString(result.requested));
        if (result.affected < result.requested && !result.error.isError())
            text += tr(" (the others no longer existed)");
    } else {
        if (!result.error.isError())
            m_model->setTtl(op.keys, op.ttlMs);
        text = op.ttlMs < 0 ? tr("Removed the expiry of %1 of %2 keys").arg(locale.toString(result.affected), locale.toString(result.requested))
                            : tr("Set the TTL of %1 of %2 keys").arg(locale.toString(result.affected), locale.toString(result.requested));
        if (result.affected < result.requested && !result.error.isError())
            text += op.ttlMs < 0 ? tr(" (the others had no expiry or no longer existed)") : tr(" (the others no longer existed)");
        if (op.keys.size() == 1 && op.keys.first() == m_viewer->key())
            m_viewer->load(m_viewer->key(), m_viewer->type());   // shows the new TTL
    }
    if (result.error.isError())
        text += tr("; stopped: %1").arg(result.error.message);
    text += QLatin1Char('.');
    setStatus(text);
    m_progress->setText(progressText());
    Q_EMIT operationDone(text);
}

void KeysPanel::onError(quint64 requestId, const SourceError& error)
{
    if (requestId == m_scanId && m_scanId) {
        ScanSummary s;
        s.requestId = requestId;
        s.total = m_scanned;
        s.error = error;
        onScanFinished(s);
        return;
    }
    if (const auto it = m_detailRequests.find(requestId); it != m_detailRequests.end()) {
        for (const QByteArray& key : std::as_const(*it))
            m_detailAsked.remove(key);
        m_detailRequests.erase(it);
        setStatus(tr("Could not read key details: %1").arg(error.message));
        pumpDetails();
        return;
    }
    const auto it = m_ops.find(requestId);
    if (it == m_ops.end())
        return;
    const Op op = *it;
    m_ops.erase(it);
    const QString text = op.kind == OpKind::Delete
                             ? tr("Nothing deleted: %1").arg(error.message)
                             : tr("No TTL changed: %1").arg(error.message);
    setStatus(text);
    Q_EMIT operationDone(text);
}

} // namespace cachelens::ui
