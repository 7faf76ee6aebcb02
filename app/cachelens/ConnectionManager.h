#pragma once
// ConnectionManager: the application's connections, behind the window's ConnectionService. It keeps the sidebar's
// rows (ConnectionListModel): the local engine (LocalEngine) first, then saved profiles (ProfileStore) and ad-hoc
// URLs; opens a Redis connection's Source on its own worker thread the first time its row is activated, with its
// passwords from this session (SessionSecrets) or the keychain (SecretResolver) and its guard from the saved flags;
// saves, edits, duplicates and removes profiles; and runs the demos (LocalEngine's workload, ProviderDemos). No
// widgets: the window and the dialogs drive it; tests drive it directly.
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretResolver.h"
#include "ui/ConnectionService.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace cachelens {
class SourceHost;
}
namespace cachelens::engine {
class Cache;
}
namespace cachelens::ui {
struct ConnectionEntry;
}

namespace cachelens::app {

class LocalEngine;
class ProviderDemos;
class SessionSecrets;

class ConnectionManager : public ui::ConnectionService
{
    Q_OBJECT
public:
    // `model` (not owned) gets the local engine's live state at once; saved profiles come with loadProfiles().
    explicit ConnectionManager(ui::ConnectionListModel* model, QObject* parent = nullptr);
    ~ConnectionManager() override;

    ui::ConnectionListModel* model() const override { return m_model; }
    void loadProfiles();

    void activate(int row) override;
    Source* source(const QString& id) const override;
    int openAdHoc(const ConnectionUrl& url) override;

    bool saveProfile(ConnectionProfile profile, const std::optional<QString>& password, QString* error = nullptr,
                     const std::optional<QString>& sentinelPassword = std::nullopt) override;
    bool removeProfile(const QString& id) override;
    std::optional<ConnectionProfile> duplicateProfile(const QString& id) override;
    ProfileStore::ImportReport importProfiles(const QByteArray& json) override;
    QByteArray exportProfiles() const override;
    std::optional<ConnectionProfile> profile(const QString& id) const override;

    // The embedded engine behind "Local engine" (the Simulate panel records its access tap), and its demo traffic.
    const std::shared_ptr<engine::Cache>& localCache() const;
    void setDemoRunning(bool on) override;
    bool demoRunning() const override;

    void startProviderDemo(int row, const Confirmation& confirmation = {}) override;
    void stopProviderDemo(const QString& connectionId) override;
    bool providerDemoRunning(const QString& connectionId) const override;

private:
    ui::ConnectionEntry entryFor(const ConnectionProfile& profile) const;
    void startSource(const QString& id, const QString& name, ConnectionUrl url);
    void stopSource(const QString& id);
    // Calls `done` with the row's URL and its passwords (SecretResolver: this session's, else the keychain's), now or
    // later; a keychain that could not be read is one notice.
    void withSecret(int row, std::function<void(const ConnectionUrl&)> done);
    SecretResolver::Given sessionSecrets(const QString& id) const;
    void storeSecret(const QString& key, const QString& name, const std::optional<QString>& secret);

    ui::ConnectionListModel* m_model;
    ProfileStore m_profiles;
    SessionSecrets* m_secrets;
    std::unique_ptr<LocalEngine> m_local;
    std::map<QString, std::unique_ptr<SourceHost>> m_hosts;   // open Redis connections, by id
    ProviderDemos* m_providerDemos;
};

} // namespace cachelens::app
