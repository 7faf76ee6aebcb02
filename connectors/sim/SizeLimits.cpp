#include "connectors/sim/SizeLimits.h"

#include "connectors/support/Units.h"

#include <cachelens/sim/size_limit.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QStorageInfo>

#include <limits>

namespace cachelens::sim {
namespace {

QString tr(const char* s) { return QCoreApplication::translate("SizeLimits", s); }

QString size(std::uint64_t bytes)
{
    const auto clamped = qint64(std::min<std::uint64_t>(bytes, std::uint64_t(std::numeric_limits<qint64>::max())));
    return formatBytes(clamped);
}

} // namespace

QString memoryLimitProblem(const QString& subject, std::uint64_t count, std::uint64_t bytes, const QString& items)
{
    const std::uint64_t memory = engine::sim::machineMemoryBytes();
    if (memory == 0 || bytes <= memory)
        return {};
    // The same proportion for fewer items: each costs bytes / count on average.
    const double each = count ? double(bytes) / double(count) : double(bytes);
    const auto fit = qulonglong(double(memory) / std::max(each, 1.0));
    return tr("%1 is more than this machine can hold: that takes about %2 of memory and it has %3, room for at most %4 %5")
        .arg(subject, size(bytes), size(memory), QLocale().toString(fit), items);
}

QString diskSpaceProblem(const QString& subject, std::uint64_t bytes, const QString& directory)
{
    // The directory may be created later: the disk is the one its nearest existing ancestor is on.
    QFileInfo existing(QDir(directory).absolutePath());
    while (!existing.exists() && !existing.isRoot() && existing.absolutePath() != existing.absoluteFilePath())
        existing = QFileInfo(existing.absolutePath());
    const QStorageInfo storage(existing.absoluteFilePath());
    if (!storage.isValid() || storage.bytesAvailable() < 0 || bytes <= std::uint64_t(storage.bytesAvailable()))
        return {};
    return tr("%1 would take about %2 and %3 has %4 free")
        .arg(subject, size(bytes), QDir::toNativeSeparators(existing.absoluteFilePath()),
             size(std::uint64_t(storage.bytesAvailable())));
}

} // namespace cachelens::sim
