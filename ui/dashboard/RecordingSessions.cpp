#include "ui/dashboard/RecordingSessions.h"

#include "connectors/history/HistoryWriter.h"
#include "ui/dashboard/MarkerPane.h"
#include "ui/dashboard/RecordingListModel.h"
#include "ui/dashboard/SourceSampler.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace cachelens::ui {

RecordingSessions::RecordingSessions(SourceSampler& sampler, MarkerPane& markers, HistoryService* history,
                                     QWidget* dialogParent)
    : QObject(dialogParent), m_sampler(sampler), m_markers(markers), m_history(history), m_dialogParent(dialogParent),
      m_model(new RecordingListModel(this))
{
    if (m_history)
        connect(m_history, &HistoryService::recordingsLoaded, this,
                [this](quint64 requestId, const QVector<HistoryStore::Recording>& recordings) {
                    if (requestId != m_request)
                        return;   // an older question
                    m_model->setRecordings(recordings);
                    Q_EMIT loaded();
                });
}

QString RecordingSessions::title(const HistoryStore::Recording& recording)
{
    return tr("%1, %2").arg(recording.name, QLocale().toString(recording.first.toLocalTime(), QLocale::ShortFormat));
}

QStringList RecordingSessions::openIds() const
{
    QStringList ids;
    for (const auto& w : m_sampler.watched())
        if (w->isRecording())
            ids << w->series->id();
    return ids;
}

void RecordingSessions::load()
{
    if (!m_history) {
        Q_EMIT problem(tr("No history is kept by this dashboard, so there are no earlier sessions."));
        return;
    }
    m_request = m_nextRequest++;
    m_history->loadRecordings(m_request);
}

QString RecordingSessions::open(const HistoryStore::Recording& recording)
{
    const QString id = QStringLiteral("recording:%1@%2").arg(recording.sourceId).arg(recording.first.toMSecsSinceEpoch());
    if (!m_sampler.addRecording(id, title(recording), recording)) {
        Q_EMIT problem(tr("No history is kept by this dashboard, so there are no earlier sessions."));
        return {};
    }
    // Look at it: the view stops following the live edge and frames the recording.
    const double from = RateCalculator::toKey(recording.first), to = RateCalculator::toKey(recording.last);
    const double margin = std::max(10.0, (to - from) * 0.05);
    Q_EMIT framed(from - margin, to + margin);
    return id;
}

void RecordingSessions::compare(const HistoryStore::Recording& a, const HistoryStore::Recording& b)
{
    const QString idA = open(a), idB = open(b);
    if (idA.isEmpty() || idB.isEmpty())
        return;
    m_markers.compareRecordings(idA, idB, title(a), title(b));
}

void RecordingSessions::close()
{
    m_sampler.removeRecordings();
    m_markers.dropRecordingComparison();
    Q_EMIT closed();
}

void RecordingSessions::showDialog(int retentionDays)
{
    auto* dialog = new QDialog(m_dialogParent);
    dialog->setObjectName(QStringLiteral("sessionsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Sessions"));
    auto* layout = new QVBoxLayout(dialog);
    auto* intro = new QLabel(tr("Earlier recordings in the history (kept %n day(s); see Preferences). A recording "
                                "ends where a connection was not watched for five minutes.", nullptr,
                                retentionDays), dialog);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* table = new QTableView(dialog);
    table->setObjectName(QStringLiteral("sessionsTable"));
    table->setModel(m_model);
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
    connect(m_model, &QAbstractItemModel::modelReset, dialog, updateButtons);
    connect(open, &QPushButton::clicked, this, [this, selectedRows] {
        for (int row : selectedRows())
            this->open(m_model->recording(row));
    });
    connect(compare, &QPushButton::clicked, this, [this, selectedRows] {
        const QList<int> rows = selectedRows();
        if (rows.size() == 2)   // older first, as "before" and "after"
            this->compare(m_model->recording(rows.at(1)), m_model->recording(rows.at(0)));
    });
    connect(closeOpened, &QPushButton::clicked, this, &RecordingSessions::close);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    updateButtons();
    dialog->resize(640, 360);
    dialog->show();
    load();
}

} // namespace cachelens::ui
