#include "ui/dashboard/MarkerPane.h"

#include "connectors/history/HistoryWriter.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/MarkerComparison.h"
#include "ui/dashboard/MarkerListModel.h"
#include "ui/dashboard/SourceSampler.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace cachelens::ui {

MarkerPane::MarkerPane(const SourceSampler& sampler, HistoryService* history, QWidget* parent)
    : QWidget(parent), m_sampler(sampler), m_history(history), m_markers(new MarkerListModel(this)),
      m_comparison(new ComparisonModel(this)), m_markerView(new QListView(this)), m_minutes(new QSpinBox(this))
{
    qRegisterMetaType<HistoryMarker>();
    if (m_history)
        connect(m_history, &HistoryService::markerStored, this,
                [this](quint64, const HistoryMarker& marker) { m_storedIds.insert(marker.id); });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Markers"), this));
    m_markerView->setObjectName(QStringLiteral("markerList"));
    m_markerView->setModel(m_markers);
    m_markerView->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_markerView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex&, const QModelIndex&) { updateComparison(); });
    layout->addWidget(m_markerView, 2);
    auto* minutesRow = new QHBoxLayout;
    minutesRow->addWidget(new QLabel(tr("Compare the"), this));
    m_minutes->setObjectName(QStringLiteral("comparisonMinutes"));
    m_minutes->setRange(1, 120);
    m_minutes->setValue(10);
    m_minutes->setSuffix(tr(" min"));
    connect(m_minutes, &QSpinBox::valueChanged, this, [this] { updateComparison(); });
    minutesRow->addWidget(m_minutes);
    minutesRow->addWidget(new QLabel(tr("before and after"), this), 1);
    layout->addLayout(minutesRow);
    auto* table = new QTableView(this);
    table->setObjectName(QStringLiteral("comparisonTable"));
    table->setModel(m_comparison);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(table, 1);
}

QList<HistoryMarker> MarkerPane::markers() const
{
    return m_markers->markers();
}

int MarkerPane::comparisonMinutes() const
{
    return m_minutes->value();
}

void MarkerPane::setComparisonMinutes(int minutes)
{
    m_minutes->setValue(minutes);
}

void MarkerPane::selectMarker(int row)
{
    m_markerView->setCurrentIndex(row >= 0 ? m_markers->index(row) : QModelIndex());
    updateComparison();
}

void MarkerPane::updateComparison()
{
    const QModelIndex current = m_markerView->currentIndex();
    if (m_recordingComparison) {
        if (!current.isValid()) {
            finishRecordingComparison();   // two recordings stay compared until a marker is picked
            return;
        }
        m_recordingComparison.reset();
    }
    const SourceSeries* first = m_sampler.first();
    if (!current.isValid() || !first) {
        m_comparison->clear();
        return;
    }
    const HistoryMarker marker = m_markers->marker(current.row());
    // A marker of one source compares that source; a deploy compares the first source, like the tiles.
    const SourceSeries* s = m_sampler.series(marker.sourceId);
    if (!s)
        s = first;
    m_comparison->setComparison(compareAround(s->points(), RateCalculator::toKey(marker.time), comparisonMinutes() * 60.0));
}

void MarkerPane::addMarker(const HistoryMarker& marker)
{
    insert(marker);
    if (m_history && marker.id == 0)
        m_history->addMarker(m_nextRequest++, marker);
    Q_EMIT markerAdded(marker);
}

void MarkerPane::addStored(const QVector<HistoryMarker>& markers, const QString& storedSourceId)
{
    for (const HistoryMarker& m : markers) {
        if (m_storedIds.contains(m.id) || !(m.sourceId.isEmpty() || m.sourceId == storedSourceId))
            continue;
        m_storedIds.insert(m.id);
        insert(m);
    }
}

void MarkerPane::insert(const HistoryMarker& marker)
{
    m_markers->add(marker);
    Q_EMIT markerShown(marker);
}

void MarkerPane::markDeploy()
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

void MarkerPane::compareRecordings(const QString& a, const QString& b, const QString& titleA, const QString& titleB)
{
    m_recordingComparison = RecordingComparison{a, b, titleA, titleB};
    m_markerView->setCurrentIndex(QModelIndex());   // the side table now compares the two recordings
    finishRecordingComparison();
}

void MarkerPane::dropRecordingComparison()
{
    if (!m_recordingComparison)
        return;
    m_recordingComparison.reset();
    m_comparison->clear();
}

void MarkerPane::finishRecordingComparison()
{
    if (!m_recordingComparison)
        return;
    const SourceSampler::Watched* a = m_sampler.find(m_recordingComparison->a);
    const SourceSampler::Watched* b = m_sampler.find(m_recordingComparison->b);
    if (!a || !b) {   // closed meanwhile
        dropRecordingComparison();
        return;
    }
    if (a->isLoading() || b->isLoading())
        return;   // still loading: called again when the history answers
    MarkerComparison comparison;
    comparison.before = periodFigures(a->series->points(), a->recordingFrom - 1, a->recordingTo);
    comparison.after = periodFigures(b->series->points(), b->recordingFrom - 1, b->recordingTo);
    m_comparison->setComparison(comparison, m_recordingComparison->titleA, m_recordingComparison->titleB);
    Q_EMIT recordingsCompared();
}

} // namespace cachelens::ui
