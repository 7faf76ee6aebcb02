#pragma once
// Min/max decimation for long chart windows: one pixel column shows the lowest and the highest value that fell into
// it, so a 24 h window of 1 s samples (86,400 points) becomes ~2 points per column and spikes stay visible.
// The raw data stays in the series store; only what is handed to the plot is decimated.
#include <qcustomplot.h>

namespace cachelens::ui {

// Appends to `out` the decimated points of `raw` between `from` and `to` (plus one bucket either side, so lines
// run to the edge of the view), bucketed by `bucketWidth` (in key units, > 0). A bucket that holds a gap (a NaN
// value) keeps a NaN point at the gap's key, so gaps stay gaps at every zoom level. Buckets with at most two points
// are copied unchanged.
void decimateMinMax(const QCPGraphDataContainer& raw, double from, double to, double bucketWidth,
                    QVector<QCPGraphData>& out);

// Number of raw points with keys in [from, to].
int pointsInRange(const QCPGraphDataContainer& raw, double from, double to);

} // namespace cachelens::ui
