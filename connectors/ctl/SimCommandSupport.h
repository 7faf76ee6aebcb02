#pragma once
// Shared by `cachelensctl simulate`, `replay` and `mrc`: option scanning and number lists.
#include "connectors/ctl/Command.h"

#include <cachelens/sim/trace_file.h>

#include <QMap>

#include <cstdint>
#include <optional>
#include <vector>

namespace cachelens::ctl {

// "1000,5000,10000" or "1000:50000:1000" (first:last:step) or a mix ("100,1000:5000:1000"); std::nullopt when
// malformed, zero or more than 10,000 values.
std::optional<std::vector<std::uint64_t>> parseSizeList(const QString& text);

// Splits args into positionals and --options; `valued` lists the options that take a value. Returns false after
// printing a misuse line for an unknown option or a missing value.
bool splitArgs(Context& ctx, const QString& command, const QStringList& flags, const QStringList& valued,
               QStringList& positional, QMap<QString, QString>& options);

// `replay` and `mrc`: splits their arguments (plus `--format` and `valued`), checks for exactly one TRACE file and
// resolves its format (--format text|u64le, else guessed from the file). False after printing a misuse line.
bool traceArgs(Context& ctx, const QString& command, const QStringList& valued, std::string& path,
               engine::sim::TraceFormat& format, QMap<QString, QString>& options);

} // namespace cachelens::ctl
