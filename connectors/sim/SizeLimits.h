#pragma once
// The sentences replay, mrc and simulate refuse a size with when this machine cannot hold what it asks for: the
// memory limit from engine/sim/size_limit.h, the free disk from QStorageInfo. Each says what was asked, what it
// needs and what the machine has, so the user knows how far to go down.
#include <QString>

#include <cstdint>

namespace cachelens::sim {

// Empty when `count` items needing `bytes` of memory in all fit in this machine's memory; otherwise one sentence:
// "<subject> is more than this machine can hold: that takes about 114 PiB of memory and it has 23.4 GiB, room for
// at most 196,000,000 <items>". subject: "--capacity 1,000,000,000,000,000"; items: "entries".
QString memoryLimitProblem(const QString& subject, std::uint64_t count, std::uint64_t bytes, const QString& items);

// Empty when about `bytes` of new files fit in the free space of the disk that holds `directory` (which need not
// exist yet); otherwise one sentence: "<subject> would take about 519 PiB and /tmp has 12.3 GiB free".
QString diskSpaceProblem(const QString& subject, std::uint64_t bytes, const QString& directory);

} // namespace cachelens::sim
