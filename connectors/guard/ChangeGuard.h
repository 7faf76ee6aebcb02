#pragma once
// ChangeGuard: the one path every action that changes data goes through — key deletes, TTL changes, value edits,
// pattern purges, tag invalidations, snapshot restores, simulations and demos that write to a server, from any
// panel or cachelensctl subcommand, and whatever is added later. In this order:
//   1. a read-only connection refuses, with the reason;
//   2. a production connection needs its name typed (the GUI's confirmation box, cachelensctl's --confirm NAME);
//   3. the audit row is written ("started") — when it cannot be, nothing runs.
// Only admit() makes an AuditTicket, and the Source's modifying implementations take one (Source.h), so a source
// cannot change data without having passed here. Dry runs change nothing and need no ticket.
//
// Thread-safe: a ChangeGuard is immutable; admit() opens audit.db for the one write (SQLite serialises writers), so
// it runs on a Source's worker thread or the CLI's, never the GUI thread.
#include "connectors/SourceTypes.h"

#include <QString>

#include <memory>
#include <optional>

namespace cachelens {

struct ConnectionProfile;

// Who may change what on one connection. Set when its Source is made (from the saved profile), never changed after:
// editing a profile's flags reopens its source.
struct GuardPolicy {
    QString connection;     // the name the user knows: audit rows, messages, and what they type on production
    bool readOnly = false;
    bool production = false;
    QString auditPath;      // audit.db; empty: AuditStore::defaultPath()

    static GuardPolicy forProfile(const ConnectionProfile& profile);
};

// Travels with every modifying request: what the user typed to confirm it (production connections).
struct Confirmation {
    QString typedName;
};

// What is about to change, as the audit log names it.
struct Change {
    QString action;         // "delete keys", "purge pattern", "restore snapshot", …
    QString target;         // the pattern, tags, keys ("user:1, user:2 and 98 more"), file…
};

// The audit row of an admitted change. Copies share the row; finish() records how it ended (a row left at
// "started" is an action whose process died before it could say).
class AuditTicket
{
public:
    AuditTicket() = default;                 // no row: a dry run, which changes nothing
    bool valid() const { return m_row != nullptr; }
    qint64 rowId() const;

    void finish(const KeyOpResult& result) const;
    void finish(const InvalidationReport& report) const;
    void finish(const RestoreReport& report) const;     // matched = rows tried, deleted = 0
    void finish(qint64 matched, qint64 changed, const QString& outcome, const QString& detail) const;

    static QString outcomeOf(const InvalidationReport& report);   // completed, cancelled, interrupted, stopped, failed
    static QString describeKeys(const QList<QByteArray>& keys);   // "user:1, user:2, user:3 and 97 more"

private:
    friend class ChangeGuard;
    struct Row;
    explicit AuditTicket(std::shared_ptr<const Row> row) : m_row(std::move(row)) {}
    std::shared_ptr<const Row> m_row;
};

class ChangeGuard
{
public:
    ChangeGuard() = default;                 // an unnamed connection that is neither read-only nor production
    explicit ChangeGuard(GuardPolicy policy);

    const GuardPolicy& policy() const { return m_policy; }

    // The refusal a change would meet (kind Refused), without writing anything: lets a front end refuse before it
    // connects. admit() asks the same question again.
    std::optional<SourceError> check(const Confirmation& confirmation) const;
    // check(), then the audit row. The ticket; or an invalid one with `refusal` set (kind Refused, or Storage when the
    // audit log cannot be written — the message then says nothing was changed).
    AuditTicket admit(const Change& change, const Confirmation& confirmation, SourceError* refusal) const;

private:
    GuardPolicy m_policy;
};

} // namespace cachelens

Q_DECLARE_METATYPE(cachelens::Confirmation)
