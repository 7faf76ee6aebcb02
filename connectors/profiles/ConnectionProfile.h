#pragma once
// A saved connection. The password is never part of a profile at rest: it lives in the system keychain
// (SecretStore) under the profile's id, and JSON export/import never carries it.
#include "connectors/ConnectionUrl.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace cachelens {

struct ConnectionProfile {
    QString id;                         // stable, generated (QUuid without braces)
    QString name;                       // "prod-cache eu-west"
    ConnectionUrl url;                  // url.password and url.sentinelPassword are empty here; filled from the
                                        // keychain when connecting
    bool production = false;            // red band; destructive actions need the typed name and are audited
    bool readOnly = false;              // destructive actions disabled
    QString separator = QStringLiteral(":");   // namespace separator for the key tree
    // Whether the keychain holds a password for it. cachelensctl records it when it saves a connection, so one saved
    // without a password never asks a keychain (which a server may not run) nor warns that there is none. Unset for
    // connections saved by the GUI or imported: the keychain is asked.
    std::optional<bool> keychainSecrets;

    static QString newId();
    // Empty when `name` can name a connection; otherwise a sentence saying why not. Control characters (also line
    // separators and bidi overrides) are refused: the name is printed by scripts, lists and window titles, where
    // they would garble the terminal or disguise the name.
    static QString nameProblem(const QString& name);
    // The keychain entry of a redis-sentinel:// profile's sentinel password (the master's is under the id itself).
    static QString sentinelSecretKey(const QString& profileId) { return profileId + QStringLiteral("/sentinel"); }
    // JSON without any secret: {"id","name","url","production","readOnly","separator"[,"secrets":"keychain"|"none"]}.
    QJsonObject toJson() const;
    // Validates every field; `error` says which one is wrong. A URL with a password is accepted but the password
    // is dropped (and `hadSecret` set) so an exported file never re-imports a secret into settings.
    static std::optional<ConnectionProfile> fromJson(const QJsonObject& json, QString* error, bool* hadSecret = nullptr);
    // The URL as stored: canonical, without the password.
    QString storedUrl() const;
};

} // namespace cachelens
