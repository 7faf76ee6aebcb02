#include "ui/dashboard/DashboardExport.h"

#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/SourceSeries.h"

#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QPdfWriter>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

namespace cachelens::ui {

namespace {

QSize gridSize(const QList<MetricChart*>& charts, int columns, QSize* cell)
{
    int w = 0, h = 0;
    for (MetricChart* c : charts) {
        w = std::max(w, c->width());
        h = std::max(h, c->height());
    }
    *cell = QSize(std::max(w, 400), std::max(h, 200));
    const int rows = (int(charts.size()) + columns - 1) / columns;
    return QSize(cell->width() * columns, cell->height() * rows);
}

QByteArray number(double v)
{
    if (std::isnan(v))
        return {};
    return QByteArray::number(v, 'g', 12);
}

} // namespace

bool exportChartsPng(const QList<MetricChart*>& charts, const QString& path, int columns)
{
    if (charts.isEmpty())
        return false;
    QSize cell;
    QImage image(gridSize(charts, columns, &cell), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QCPPainter painter(&image);
    for (int i = 0; i < charts.size(); ++i) {
        painter.save();
        painter.translate((i % columns) * cell.width(), (i / columns) * cell.height());
        charts.at(i)->toPainter(&painter, cell.width(), cell.height());
        painter.restore();
    }
    painter.end();
    return image.save(path, "PNG");
}

bool exportChartsPdf(const QList<MetricChart*>& charts, const QString& path, const QString& title, int columns)
{
    if (charts.isEmpty())
        return false;
    QSize cell;
    const QSize size = gridSize(charts, columns, &cell);
    QPdfWriter pdf(path);
    pdf.setTitle(title);
    pdf.setCreator(QStringLiteral("CacheLens"));
    pdf.setResolution(96);   // one chart pixel = one PDF pixel at 96 dpi: the page is the grid, to scale
    pdf.setPageSize(QPageSize(QSizeF(size.width() / 96.0, size.height() / 96.0), QPageSize::Inch));
    pdf.setPageMargins(QMarginsF());
    QCPPainter painter;
    if (!painter.begin(&pdf))
        return false;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    for (int i = 0; i < charts.size(); ++i) {
        painter.save();
        painter.translate((i % columns) * cell.width(), (i / columns) * cell.height());
        charts.at(i)->toPainter(&painter, cell.width(), cell.height());
        painter.restore();
    }
    return painter.end();
}

void writeCsv(const QList<const SourceSeries*>& sources, double from, double to, QIODevice& out)
{
    out.write("time_utc,source,hits_per_s,misses_per_s,hit_rate_pct,hit_rate_window_pct,ops_per_s,memory_bytes,keys,"
              "evictions_per_s,expirations_per_s,clients\n");
    for (const SourceSeries* s : sources) {
        QByteArray source = s->id().toUtf8();
        if (source.contains(',') || source.contains('"'))
            source = '"' + source.replace("\"", "\"\"") + '"';
        for (const RatePoint& p : s->points()) {
            if (p.time < from || p.time > to || p.isGap())
                continue;
            const QByteArray time =
                QDateTime::fromMSecsSinceEpoch(qint64(std::llround(p.time * 1000)), Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
            const QByteArray row = time + ',' + source + ',' + number(p.hitsPerSec) + ',' + number(p.missesPerSec) + ','
                                   + number(p.hitRatePct) + ',' + number(p.windowHitRatePct) + ',' + number(p.opsPerSec)
                                   + ',' + number(p.memoryBytes) + ',' + number(p.keys) + ',' + number(p.evictionsPerSec)
                                   + ',' + number(p.expirationsPerSec) + ',' + number(p.clients) + '\n';
            out.write(row);
        }
    }
}

bool exportCsv(const QList<const SourceSeries*>& sources, double from, double to, const QString& path)
{
    QSaveFile file(path);   // all or nothing: a half-written CSV is worse than none
    if (!file.open(QIODevice::WriteOnly))
        return false;
    writeCsv(sources, from, to, file);
    return file.commit();
}

bool isCsvPath(const QString& path)
{
    return QFileInfo(path).suffix().toLower() == QLatin1String("csv");
}

bool exportVisible(const QList<MetricChart*>& charts, const QList<const SourceSeries*>& sources, double from, double to,
                   const QString& path)
{
    if (isCsvPath(path))
        return exportCsv(sources, from, to, path);
    if (QFileInfo(path).suffix().toLower() == QLatin1String("pdf"))
        return exportChartsPdf(charts, path, QCoreApplication::translate("DashboardPanel", "CacheLens dashboard"));
    return exportChartsPng(charts, path);
}

void askForExportFile(QWidget* parent, std::function<bool(const QString&)> save, std::function<void(const QString&)> failed)
{
    auto* dialog = new QFileDialog(parent, QCoreApplication::translate("DashboardPanel", "Export the visible window"));
    dialog->setObjectName(QStringLiteral("exportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({QCoreApplication::translate("DashboardPanel", "PNG image (*.png)"),
                            QCoreApplication::translate("DashboardPanel", "PDF document (*.pdf)"),
                            QCoreApplication::translate("DashboardPanel", "CSV numbers (*.csv)")});
    dialog->setDefaultSuffix(QStringLiteral("png"));
    QObject::connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString& filter) {
        dialog->setDefaultSuffix(filter.contains(QLatin1String("*.pdf"))   ? QStringLiteral("pdf")
                                 : filter.contains(QLatin1String("*.csv")) ? QStringLiteral("csv")
                                                                           : QStringLiteral("png"));
    });
    QObject::connect(dialog, &QFileDialog::fileSelected, dialog, [save = std::move(save), failed = std::move(failed)](const QString& path) {
        if (!save(path))
            failed(path);
    });
    dialog->open();
}

} // namespace cachelens::ui
