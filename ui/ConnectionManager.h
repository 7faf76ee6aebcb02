#pragma once
// Keeps the sidebar's connections and their live Sources: loads saved profiles, opens ad-hoc URLs, saves/edits/
// duplicates/removes profiles (passwords to the keychain), and opens a connection's Source on its own worker thread
// the first time it is selected. No widgets: MainWindow and the dialogs drive it; tests drive it directly.
#include "connectors/profiles/ProfileStore.h"
#include "connectors/guard/ChangeGuard.h"
#include "connectors/profiles/SecretStore.h"

#include <QHash>
#include <QObject>

#include <map>
#include <functional>
#include <memory>
#include <optional>

namespace cachelens {
class DemoWorkload;
class Source;
class SourceHost;
}
namespace cachelens::engine {
class Cache;
}

namespace cachelens::ui {

class ConnectionListModel;
struct ConnectionEntry;

class ConnectionManager : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionManager(ConnectionListModel* model, QObject* parent = nullptr);
    ~ConnectionManager() override;

    ConnectionListModel* model() const { return m_model; }

    void loadProfiles();
    int openAdHoc(const ConnectionUrl& url);      // --connect / File ▸ Connect: not saved; returns its row

    // Adds or edits a profile. `password` (the master's) and `sentinelPassword` (redis-sentinel:// sentinels' own):
    // nullopt keeps the stored one; an empty string removes it. Both go to the keychain (sentinel's under
    // ConnectionProfile::sentinelSecretKey). Returns false (and sets `error`) when the profile cannot be saved;
    // keychain trouble arrives as notice().
    bool saveProfile(ConnectionProfile profile, const std::optional<QString>& password, QString* error = nullptr,
                     const std::optional<QString>& sentinelPassword = std::nullopt);
    bool removeProfile(const QString& id);
    std::optional<ConnectionProfile> duplicateProfile(const QString& id);
    ProfileStore::ImportReport importProfiles(const QByteArray& json);
    QByteArray exportProfiles() const;
    std::optional<ConnectionProfile> profile(const QString& id) const;

    // Opens the row's Source if it is not open yet; sourceReady follows once it exists. Row 0 is the local
    // engine, always open.
    void activate(int row);
    Source* source(const QString& id) const;

    // The embedded engine behind "Local engine", and its demo traffic (off until asked for).
    const std::shared_ptr<engine::Cache>& localCache() const { return m_localCache; }
    void setDemoRunning(bool on);
    bool demoRunning() const;

    // The L1+L2 demo on a Redis connection: two engine instances (L1 + Redis + invalidation bus) on their own
    // worker thread, under a dedicated key prefix (connectors/ProviderDemoSource). Refused on read-only
    // connections (notice says why); on production ones `confirmation` carries the name the user typed, and the
    // demo's guard checks it and writes the audit row before any key is written. providerDemoChanged(id, demo, true)
    // follows once it exists. stopProviderDemo removes its keys on the worker thread, reports the sentence as
    // notice, then providerDemoChanged(id, demo, false) comes before the demo is deleted.
    void startProviderDemo(int row, const Confirmation& confirmation = {});
    void stopProviderDemo(const QString& connectionId);
    bool providerDemoRunning(const QString& connectionId) const { return m_providerDemos.count(connectionId) > 0; }

Q_SIGNALS:
    void notice(const QString& message);
    void sourceReady(const QString& id, cachelens::Source* source);
    void providerDemoChanged(const QString& connectionId, cachelens::Source* demo, bool running);

private:
    ConnectionEntry entryFor(const ConnectionProfile& profile) const;
    void startSource(const QString& id, const QString& name, ConnectionUrl url);
    // Calls `done` with the row's URL and its passwords (session or keychain), now or later.
    void withSecret(int row, std::function<void(const ConnectionUrl&)> done);
    // The secret under `key` (a profile id or its sentinel key): this session's, else for saved profiles the
    // keychain's; nullopt when there is none (`problem` says why when the keychain could not be asked).
    void lookupSecret(const QString& key, bool saved, std::function<void(std::optional<QString>, QString problem)> done);
    void storeSecret(const QString& key, const QString& name, const std::optional<QString>& secret);
    void stopSource(const QString& id);

    ConnectionListModel* m_model;
    ProfileStore m_profiles;
    SecretStore* m_secrets;
    QHash<QString, QString> m_sessionSecrets;     // by keychain key, typed this session; the only copy when no
                                                  // keychain runs
    std::map<QString, std::unique_ptr<SourceHost>> m_hosts;
    std::shared_ptr<engine::Cache> m_localCache;
    std::unique_ptr<SourceHost> m_localHost;
    std::unique_ptr<DemoWorkload> m_demo;
    std::map<QString, std::unique_ptr<SourceHost>> m_providerDemos;   // by connection id
};

} // namespace cachelens::ui
