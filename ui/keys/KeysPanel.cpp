#include "ui/keys/KeysPanel.h"

#include "connectors/Source.h"
#include "connectors/invalidate/GlobCheck.h"
#include "ui/Icons.h"
#include "ui/keys/DetailFetcher.h"
#include "ui/keys/KeyOperations.h"
#include "ui/keys/KeyScan.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/MemoryView.h"
#include "ui/keys/ReadCostDialog.h"
#include "ui/keys/RowPager.h"
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
      m_filterDelay(new QTimer(this))
{
    setObjectName(QStringLiteral("keysPanel"));
    qRegisterMetaType<ValuePage>();
    qRegisterMetaType<KeyStatsBatch>();
    buildUi();
    wireParts();
    m_ttlTick->setInterval(1000);
    connect(m_ttlTick, &QTimer::timeout, m_view->viewport(), qOverload<>(&QWidget::update));   // live TTL countdown
    m_ttlTick->start();
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

void KeysPanel::wireParts()
{
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
    });
    // After the panel's own sortingChanged handler: a key being revealed is in place before scanDone says so.
    m_scan = new KeyScan(m_model, this);
    connect(m_scan, &KeyScan::started, this, &KeysPanel::onScanStarted);
    connect(m_scan, &KeyScan::progressed, this, &KeysPanel::onScanProgress);
    connect(m_scan, &KeyScan::loaded, this, &KeysPanel::onScanLoaded);
    connect(m_scan, &KeyScan::done, this, &KeysPanel::scanDone);

    m_pager = new RowPager(m_model, m_view, this);
    m_details = new DetailFetcher(m_model, m_view, this);
    connect(m_pager, &RowPager::rowsOnScreenMayHaveChanged, m_details, &DetailFetcher::checkSoon);
    connect(m_details, &DetailFetcher::applied, this, [this] {
        if (m_model->filterType() != KeyType::Unknown)
            m_progress->setText(progressText());
        Q_EMIT detailsApplied();
    });
    connect(m_details, &DetailFetcher::failed, this,
            [this](const QString& message) { setStatus(tr("Could not read key details: %1").arg(message)); });

    m_operations = new KeyOperations(m_model, this);
    connect(m_operations, &KeyOperations::started, this, &KeysPanel::setStatus);
    connect(m_operations, &KeyOperations::ttlAnswered, this, [this](const QList<QByteArray>& keys) {
        if (keys.size() == 1 && keys.first() == m_viewer->key())
            m_viewer->load(m_viewer->key(), m_viewer->type());   // shows the new TTL
    });
    connect(m_operations, &KeyOperations::finished, this, [this](const QString& sentence) {
        setStatus(sentence);
        m_progress->setText(progressText());
        Q_EMIT operationDone(sentence);
    });
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
    m_operations->setConnection(entry);
    updateActions();
}

void KeysPanel::setSource(Source* source)
{
    if (m_source == source)
        return;
    m_scan->setSource(source);   // cancels a scan of the previous source
    m_details->setSource(source);
    m_operations->setSource(source);
    m_source = source;
    m_reveal.clear();
    m_model->clear();
    m_viewer->setSource(source);
    m_memory->setSource(source);
    setStatus(QString());
    if (source)
        startScan();
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

bool KeysPanel::isScanning() const
{
    return m_scan->isRunning();
}

bool KeysPanel::isFetchingDetails() const
{
    return m_details->isFetching();
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
    const QByteArray glob = m_glob->text().isEmpty() ? QByteArrayLiteral("*") : m_glob->text().toUtf8();
    m_scan->start(glob);
}

void KeysPanel::cancelScan()
{
    m_scan->cancel();
}

void KeysPanel::onScanStarted(const QByteArray& glob)
{
    m_viewer->load({});
    m_details->reset();
    m_reveal.clear();
    m_progressBar->setVisible(true);
    m_progressBar->setRange(0, 0);
    m_progress->setText(tr("Scanning %1…").arg(QString::fromUtf8(glob)));
    updateActions();
    Q_EMIT scanStarted();
}

void KeysPanel::onScanProgress(quint64 scanned, quint64 estimate)
{
    if (estimate > 0) {
        m_progressBar->setRange(0, 1000);
        m_progressBar->setValue(int(std::min<quint64>(1000, scanned * 1000 / estimate)));
    }
    m_progress->setText(progressText());
    if (m_model->filterType() != KeyType::Unknown)
        m_details->pump();
}

void KeysPanel::onScanLoaded(const ScanSummary& summary)
{
    m_progressBar->setVisible(false);
    m_model->sort(m_view->header()->sortIndicatorSection(), m_view->header()->sortIndicatorOrder());
    setStatus(m_scan->sentence(summary));
    m_progress->setText(progressText());
    updateActions();
}

QString KeysPanel::progressText() const
{
    const QLocale locale;
    if (!m_source)
        return tr("No connection.");
    if (isScanning())
        return m_scan->progressText();
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
    m_details->restartTypeFetch();
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
    m_operations->deleteKeys(keys);
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
    m_operations->editTtl(keys, selectionDescription(), current);
}

} // namespace cachelens::ui
