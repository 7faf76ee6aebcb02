#include "ui/dashboard/DashboardPanel.h"

#include "connectors/history/HistoryWriter.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/DashboardPanel_p.h"
#include "ui/dashboard/MarkerListModel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/RecordingListModel.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

// Markers (deploys, restarts, flushes, alerts), the before/after comparison, the recorded past and the sessions view.

namespace cachelens::ui {

QList<HistoryMarker> DashboardPanel::markers() const
{
    return m_markerModel->markers();
}

int DashboardPanel::comparisonMinutes() const
{
    return m_comparisonMinutes->value();
}

void DashboardPanel::setComparisonMinutes(int minutes)
{
    m_comparisonMinutes->setValue(minutes);
}

void DashboardPanel::selectMarker(int row)
{
    m_markerView->setCurrentIndex(row >= 0 ? m_markerModel->index(row) : QModelIndex());
    updateComparison();
}

void DashboardPanel::updateComparison()
{
    const QModelIndex current = m_markerView->currentIndex();
    if (m_recordingComparison) {
        if (!current.isValid()) {
            finishRecordingComparison();   // two recordings stay compared until a marker is picked
            return;
        }
        m_recordingComparison.reset();
    }
    if (!current.isValid() || m_entries.empty()) {
        m_comparisonModel->clear();
        return;
    }
    const HistoryMarker marker = m_markerModel->marker(current.row());
    // A marker of one source compares that source; a deploy compares the first source, like the tiles.
    const SourceSeries* s = series(marker.sourceId);
    if (!s)
        s = m_entries.front()->series.get();
    m_comparisonModel->setComparison(
        compareAround(s->points(), RateCalculator::toKey(marker.time), comparisonMinutes() * 60.0));
}

void DashboardPanel::addMarker(const HistoryMarker& marker)
{
    insertMarker(marker);
    if (m_history && marker.id == 0)
        m_history->addMarker(m_nextRequest++, marker);
    Q_EMIT markerAdded(marker);
}

void DashboardPanel::insertMarker(const HistoryMarker& marker)
{
    m_markerModel->add(marker);
    drawMarker(marker);
    scheduleRedraw();
}

void DashboardPanel::drawMarker(const HistoryMarker& marker)
{
    const double key = RateCalculator::toKey(marker.time);
    for (int i = 0; i < m_charts.size(); ++i)
        m_charts.at(i)->addMarker(key, marker.label, dashboard_detail::markerColour(marker.kind), i == 0);
}

void DashboardPanel::markDeploy()
{
    // Time of the marker: when the user pressed the button, not when they finished typing the label.
    const QDateTime at = QDateTime::currentDateTimeUtc();
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("markDeployDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Mark deploy"));
    dialog->setLabelText(tr("Label (optional), e.g. the version deployed:"));
    connect(dialog, &QInputDialog::textValueSelected, this, [this, at](const QString& text) {
        const QString label = text.trimmed().isEmpty() ? tr("deploy") : text.trimmed();
        addMarker({0, QString(), at, HistoryMarker::Kind::Deploy, label});
    });
    dialog->open();   // window-modal without a nested event loop
}

void DashboardPanel::onHistoryLoaded(quint64 requestId, const QVector<StatsSample>& samples,
                                     const QVector<HistoryMarker>& markers)
{
    Entry* e = nullptr;
    for (const auto& candidate : m_entries) {
        if (candidate->historyRequest == requestId && requestId != 0)
            e = candidate.get();
    }
    if (!e)
        return;   // the source was removed meanwhile: a stale answer
    e->historyRequest = 0;
    SourceSeries& s = *e->series;
    // Replay the stored counters through a calculator of their own: the past gets the same rates, resets and gaps
    // as if it had been watched live. Samples the live calculator already saw are left to it.
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
    const QString storedId = e->isRecording() ? e->recordedSourceId : s.id();
    for (const HistoryMarker& m : markers) {
        if (m_storedMarkerIds.contains(m.id) || !(m.sourceId.isEmpty() || m.sourceId == storedId))
            continue;
        m_storedMarkerIds.insert(m.id);
        insertMarker(m);
    }
    for (MetricChart* c : std::as_const(m_charts))
        c->refresh();
    updateTiles();
    updateLookupNotes();
    if (m_recordingComparison)
        finishRecordingComparison();
    scheduleRedraw();
    Q_EMIT historyLoaded(s.id());
}

QString DashboardPanel::recordingTitle(const HistoryStore::Recording& recording)
{
    return tr("%1, %2").arg(recording.name,
                            QLocale().toString(recording.first.toLocalTime(), QLocale::ShortFormat));
}

void DashboardPanel::loadRecordings()
{
    if (!m_history) {
        showBanner(tr("No history is kept by this dashboard, so there are no earlier sessions."));
        return;
    }
    m_recordingsRequest = m_nextRequest++;
    m_history->loadRecordings(m_recordingsRequest);
}

QStringList DashboardPanel::openRecordingIds() const
{
    QStringList ids;
    for (const auto& e : m_entries) {
        if (e->isRecording())
            ids << e->series->id();
    }
    return ids;
}

QString DashboardPanel::openRecording(const HistoryStore::Recording& recording)
{
    const QString id = QStringLiteral("recording:%1@%2").arg(recording.sourceId).arg(recording.first.toMSecsSinceEpoch());
    const double from = RateCalculator::toKey(recording.first), to = RateCalculator::toKey(recording.last);
    bool open = false;
    for (const auto& e : m_entries)
        open = open || e->series->id() == id;
    if (!open) {
        if (!m_history) {
            showBanner(tr("No history is kept by this dashboard, so there are no earlier sessions."));
            return {};
        }
        auto entry = std::make_unique<Entry>();
        entry->recordedSourceId = recording.sourceId;
        entry->recordingFrom = from;
        entry->recordingTo = to;
        entry->series = std::make_unique<SourceSeries>(id, recordingTitle(recording),
                                                       dashboard_detail::sourceColour(m_nextColour++),
                                                       pollInterval() / 1000.0, m_hitRateWindow);
        entry->historyRequest = m_nextRequest++;
        m_history->load(entry->historyRequest, recording.sourceId, recording.first, recording.last);
        for (MetricChart* c : std::as_const(m_charts))
            c->addSource(*entry->series);
        m_entries.push_back(std::move(entry));
    }
    // Look at it: the view stops following the live edge and frames the recording.
    setPaused(true);
    const double margin = std::max(10.0, (to - from) * 0.05);
    applyKeyRange(from - margin, to + margin);
    return id;
}

void DashboardPanel::compareRecordings(const HistoryStore::Recording& a, const HistoryStore::Recording& b)
{
    const QString idA = openRecording(a), idB = openRecording(b);
    if (idA.isEmpty() || idB.isEmpty())
        return;
    m_recordingComparison = PendingComparison{idA, idB, recordingTitle(a), recordingTitle(b)};
    m_markerView->setCurrentIndex(QModelIndex());   // the side table now compares the two recordings
    finishRecordingComparison();
}

void DashboardPanel::finishRecordingComparison()
{
    if (!m_recordingComparison)
        return;
    const Entry* a = nullptr;
    const Entry* b = nullptr;
    for (const auto& e : m_entries) {
        if (e->series->id() == m_recordingComparison->a)
            a = e.get();
        if (e->series->id() == m_recordingComparison->b)
            b = e.get();
    }
    if (!a || !b) {   // closed meanwhile
        m_recordingComparison.reset();
        m_comparisonModel->clear();
        return;
    }
    if (a->historyRequest != 0 || b->historyRequest != 0)
        return;   // still loading: called again when the history answers
    MarkerComparison comparison;
    comparison.before = periodFigures(a->series->points(), a->recordingFrom - 1, a->recordingTo);
    comparison.after = periodFigures(b->series->points(), b->recordingFrom - 1, b->recordingTo);
    m_comparisonModel->setComparison(comparison, m_recordingComparison->titleA, m_recordingComparison->titleB);
    Q_EMIT recordingsCompared();
}

void DashboardPanel::closeRecordings()
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if ((*it)->isRecording()) {
            for (MetricChart* c : std::as_const(m_charts))
                c->removeSource((*it)->series->id());
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
    if (m_recordingComparison) {
        m_recordingComparison.reset();
        m_comparisonModel->clear();
    }
    updateTiles();
    updateLookupNotes();
    scheduleRedraw();
}

void DashboardPanel::showSessions()
{
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("sessionsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Sessions"));
    auto* layout = new QVBoxLayout(dialog);
    auto* intro = new QLabel(tr("Earlier recordings in the history (kept %n day(s); see Preferences). A recording "
                                "ends where a connection was not watched for five minutes.", nullptr,
                                m_retentionDays), dialog);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* table = new QTableView(dialog);
    table->setObjectName(QStringLiteral("sessionsTable"));
    table->setModel(m_recordingModel);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(table, 1);
    auto* buttons = new QDialogButtonBox(dialog);
    QPushButton* open = buttons->addButton(tr("Open"), QDialogButtonBox::ActionRole);
    open->setToolTip(tr("Draw the selected recordings beside the live charts"));
    QPushButton* compare = buttons->addButton(tr("Compare"), QDialogButtonBox::ActionRole);
    compare->setToolTip(tr("Select two recordings: hit rate, operations, misses and memory side by side"));
    QPushButton* closeOpened = buttons->addButton(tr("Close opened"), QDialogButtonBox::ResetRole);
    closeOpened->setToolTip(tr("Take the opened recordings off the charts"));
    buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    const auto selectedRows = [table] {
        QList<int> rows;
        for (const QModelIndex& index : table->selectionModel()->selectedRows())
            rows << index.row();
        std::sort(rows.begin(), rows.end());
        return rows;
    };
    const auto updateButtons = [=] {
        const int n = int(selectedRows().size());
        open->setEnabled(n >= 1);
        compare->setEnabled(n == 2);
    };
    connect(table->selectionModel(), &QItemSelectionModel::selectionChanged, dialog, updateButtons);
    connect(m_recordingModel, &QAbstractItemModel::modelReset, dialog, updateButtons);
    connect(open, &QPushButton::clicked, this, [this, selectedRows] {
        for (int row : selectedRows())
            openRecording(m_recordingModel->recording(row));
    });
    connect(compare, &QPushButton::clicked, this, [this, selectedRows] {
        const QList<int> rows = selectedRows();
        if (rows.size() == 2)   // older first, as "before" and "after"
            compareRecordings(m_recordingModel->recording(rows.at(1)), m_recordingModel->recording(rows.at(0)));
    });
    connect(closeOpened, &QPushButton::clicked, this, &DashboardPanel::closeRecordings);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    updateButtons();
    dialog->resize(640, 360);
    dialog->show();
    loadRecordings();
}

} // namespace cachelens::ui
