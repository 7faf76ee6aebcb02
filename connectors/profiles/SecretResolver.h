#pragma once
// SecretResolver: a connection's URL with its secrets, the one way the GUI, cachelensctl and the simulator find them.
// Each secret (the server's password, and for redis-sentinel:// the sentinels' own under
// ConnectionProfile::sentinelSecretKey) comes from, strongest first:
//   1. what the caller was given this time (typed this session in the GUI, --password-stdin or $CACHELENS_PASSWORD),
//   2. the profile's URL itself (an ad-hoc URL typed with its password),
//   3. the system keychain (SecretStore), only when the profile may hold one there (keychainSecrets != false): a
//      connection saved without a password, or one that is not saved at all, never asks a keychain that a server
//      may not run, and never warns about one.
// A keychain that cannot be read leaves the secret out and says why in `problem`: one clause, the first failure only
// (the sentinel's read failing the same way is not said twice), never containing a secret.
#include "connectors/ConnectionUrl.h"
#include "connectors/profiles/ConnectionProfile.h"

#include <QString>

#include <functional>
#include <optional>

class QObject;

namespace cachelens {

class SecretResolver
{
public:
    struct Given {
        std::optional<QString> password;           // the server's
        std::optional<QString> sentinelPassword;   // the sentinels' (redis-sentinel:// only)
    };
    struct Resolved {
        ConnectionUrl url;   // the profile's URL with the secrets found
        QString problem;     // empty, or why the keychain could not be read ("the password could not be read from …")
    };
    using Done = std::function<void(const Resolved&)>;

    // Whether resolving `profile` with `given` asks the keychain (the GUI says "reading the password" meanwhile).
    static bool asksKeychain(const ConnectionProfile& profile, const Given& given = {});
    // Calls `done` on `context`'s thread: at once when the keychain is not asked, otherwise when it has answered
    // (never if `context` is destroyed first). The thread needs an event loop.
    static void resolve(const ConnectionProfile& profile, const Given& given, QObject* context, Done done);
    // The same, waited for on a local event loop: for cachelensctl, which has nothing else to do meanwhile. Never on
    // the GUI thread.
    static Resolved resolveNow(const ConnectionProfile& profile, const Given& given = {});
};

} // namespace cachelens
