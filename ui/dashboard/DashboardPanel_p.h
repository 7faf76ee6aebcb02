#pragma once
// Private to the dashboard panel's implementation files: one watched source (or an opened recording) and the
// helpers they share.
#include "ui/dashboard/AlertRules.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/SourceSeries.h"

#include <QColor>
#include <QElapsedTimer>
#include <QPointer>

#include <map>
#include <memory>

namespace cachelens::ui {

struct DashboardPanel::Entry {
    QPointer<Source> source;
    const Source* key = nullptr;               // identity even after the QPointer went null; null for a recording
    std::unique_ptr<SourceSeries> series;
    bool pending = false;                      // a sample request is in flight
    quint64 historyRequest = 0;                // the load of this source's past, 0 when answered
    AlertEvaluator alerts;
    QElapsedTimer requested;
    // A cluster: each master's own figures (StatsSample::nodes), by node address; on the charts while the panel
    // shows cluster nodes.
    std::map<QString, std::unique_ptr<SourceSeries>> nodes;
    // An opened recording: the stored source it replays and its span.
    QString recordedSourceId;
    double recordingFrom = kNaN, recordingTo = kNaN;
    bool isRecording() const { return key == nullptr; }
};

namespace dashboard_detail {
QColor sourceColour(int index);                // distinguishable on light and dark backgrounds
QColor markerColour(HistoryMarker::Kind kind);
double nowKey();
} // namespace dashboard_detail

} // namespace cachelens::ui
