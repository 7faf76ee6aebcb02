#pragma once
// Saved connection profiles in QSettings (group "profiles"), in the user's order. Secrets are not stored here: see
// SecretStore. Import/export use a versioned JSON document without secrets:
//   {"format": "cachelens-profiles", "version": 1, "profiles": [ {…ConnectionProfile::toJson()…}, … ]}
#include "connectors/profiles/ConnectionProfile.h"

#include <QList>
#include <QStringList>

namespace cachelens {

class ProfileStore
{
public:
    ProfileStore() = default;

    QList<ConnectionProfile> list() const;
    std::optional<ConnectionProfile> find(const QString& idOrName) const;   // by id, else by exact name

    // Adds or replaces (same id). Names are unique and have no control characters (ConnectionProfile::nameProblem): a
    // clash with another profile or a bad name returns false and sets `error`.
    bool save(const ConnectionProfile& profile, QString* error = nullptr);
    bool remove(const QString& id);
    // A copy under a new id and a free name ("prod (copy)", "prod (copy 2)", …); the secret is not copied here.
    std::optional<ConnectionProfile> duplicate(const QString& id);

    QByteArray exportJson(const QStringList& ids = {}) const;   // all when ids is empty

    struct ImportReport {
        int imported = 0;
        int replaced = 0;          // same id already present
        int renamed = 0;           // name clash resolved by a suffix
        int secretsDropped = 0;    // URLs that carried a password
        QStringList errors;        // one line per rejected entry, or the document's problem
        QString summary() const;   // "imported 3 profiles (1 replaced); 1 rejected: …"
    };
    ImportReport importJson(const QByteArray& json);

private:
    QString freeName(const QString& wanted, const QString& exceptId) const;
    void writeAll(const QList<ConnectionProfile>& profiles) const;
};

} // namespace cachelens
