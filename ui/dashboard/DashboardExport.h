#pragma once
// Export of what the dashboard shows: every chart of the visible window as one PNG image or one PDF page (vector,
// through QCustomPlot's painter), and the raw points of the visible window as CSV.
#include <QList>
#include <QString>

class QIODevice;

namespace cachelens::ui {

class MetricChart;
class SourceSeries;

// Charts laid out in `columns` columns, each chart at its current size. False when the file cannot be written.
bool exportChartsPng(const QList<MetricChart*>& charts, const QString& path, int columns = 2);
bool exportChartsPdf(const QList<MetricChart*>& charts, const QString& path, const QString& title, int columns = 2);

// One row per point with a key in [from, to], per source, in time order: machine-readable (UTC ISO 8601 times,
// '.' decimals, empty cells for gaps and unknown values), not localised.
void writeCsv(const QList<const SourceSeries*>& sources, double from, double to, QIODevice& out);
bool exportCsv(const QList<const SourceSeries*>& sources, double from, double to, const QString& path);

} // namespace cachelens::ui
