#pragma once
// The simulator's source of truth: a real SQLite database with one row per key (id, version, value), queried by
// the cache-aside loader and updated by the workload's writes. It is scratch data: the file is created (replacing
// any older simulation database at that path) with synchronous=OFF, since losing it on a crash loses nothing.
// The backing owns its file: destroying it removes the file (a cancelled or failed run leaves nothing behind)
// unless keep() was called (a finished run leaves its database to look at). cachelensctl simulate also removes it
// on SIGINT and SIGTERM (ctl/InterruptCleanup).
//
// The file is a SqliteDb (connectors/sqlite, schema 1: the items table) like every other store's.
// Thread-safety: one connection guarded by a mutex, so several simulator threads may read and write.
#include <cachelens/sim/backing.h>

#include "connectors/sqlite/SqliteDb.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace cachelens::sim {

class SqliteBacking final : public engine::sim::Backing {
public:
    // Creates the database at `path` with `keys` rows of makeValue(id, 0, minSize, maxSize). progress(rowsDone) is
    // called every 10,000 rows; cancel stops early (nullptr returned, error says so). nullptr + error on failure.
    static std::unique_ptr<SqliteBacking> create(const QString& path, std::uint64_t keys, std::uint32_t minSize,
                                                 std::uint32_t maxSize, QString& error,
                                                 const std::function<void(std::uint64_t)>& progress = {},
                                                 const std::atomic<bool>* cancel = nullptr);
    ~SqliteBacking() override;   // removes the file unless keep() was called
    void keep() { m_keep = true; }
    // About how large create() makes the file: measured at 1.03 to 3.5 times the values' bytes for 4-byte to
    // 20 KB values (the row's id, version and record header, and B-tree pages that are not full); this says
    // (average value + 16) × 1.2, which is at or above every measurement.
    static std::uint64_t estimatedFileBytes(std::uint64_t keys, std::uint32_t minSize, std::uint32_t maxSize);

    std::optional<std::string> read(std::uint64_t key) override;
    void write(std::uint64_t key, std::uint32_t version, std::string_view value) override;

    std::uint64_t rowCount();
    QString path() const { return m_path; }

private:
    SqliteBacking() = default;
    QString m_path;
    bool m_keep = false;
    std::mutex m_mutex;                           // guards m_db and the statements
    SqliteDb m_db;
    std::unique_ptr<SqliteStatement> m_select;    // prepared once: the simulator's hot path
    std::unique_ptr<SqliteStatement> m_update;
};

} // namespace cachelens::sim
