#pragma once
// Export of what the dashboard shows: every chart of the visible window as one PNG image or one PDF page (vector,
// through QCustomPlot's painter), and the raw points of the visible window as CSV.
#include <QList>
#include <QString>

#include <functional>

class QIODevice;
class QWidget;

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

// Whether `path` asks for the numbers (CSV) rather than the charts (PNG, PDF): by its suffix.
bool isCsvPath(const QString& path);
// The visible window [from, to] to `path`: CSV (the raw points of `sources`), PDF or else PNG (the charts, as they
// are drawn now). False when the file cannot be written.
bool exportVisible(const QList<MetricChart*>& charts, const QList<const SourceSeries*>& sources, double from, double to,
                   const QString& path);
// Asks for a file (PNG, PDF or CSV) without a modal loop; `save` writes it, `failed` hears of a file not written.
void askForExportFile(QWidget* parent, std::function<bool(const QString&)> save,
                      std::function<void(const QString&)> failed);

} // namespace cachelens::ui
