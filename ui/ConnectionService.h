#pragma once
// ConnectionService: what the main window asks of the application about connections — the sidebar's rows, a row's
// Source, saving and removing profiles, and the demo traffic. The application implements it (app/cachelens:
// ConnectionManager owns the local engine and its demo, opens Redis sources on worker threads, keeps the profiles and
// reads their secrets); ui/ never makes a source itself. Every answer that takes time arrives as a signal.
#include "connectors/SourceTypes.h"
#include "connectors/guard/ChangeGuard.h"
#include "connectors/profiles/ProfileStore.h"

#include <QObject>

#include <optional>

namespace cachelens {
class Source;
struct ConnectionUrl;
}

namespace cachelens::ui {

class ConnectionListModel;

class ConnectionService : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // The sidebar's rows: "Local engine" first, then the saved and ad-hoc connections, each with its live state.
    virtual ConnectionListModel* model() const = 0;

    // Opens the row's Source if it is not open yet; sourceReady follows once it exists (row 0, the local engine, is
    // always open).
    virtual void activate(int row) = 0;
    virtual Source* source(const QString& id) const = 0;   // nullptr while it is not open
    virtual int openAdHoc(const ConnectionUrl& url) = 0;   // --connect / File ▸ Connect: not saved; returns its row

    // Adds or edits a profile. `password` (the master's) and `sentinelPassword` (redis-sentinel:// sentinels' own):
    // nullopt keeps the stored one; an empty string removes it. Returns false (and sets `error`) when the profile
    // cannot be saved; keychain trouble arrives as notice(). An open connection reopens with what was saved.
    virtual bool saveProfile(ConnectionProfile profile, const std::optional<QString>& password, QString* error = nullptr,
                             const std::optional<QString>& sentinelPassword = std::nullopt) = 0;
    virtual bool removeProfile(const QString& id) = 0;   // its source closes first (sourceReady with nullptr)
    virtual std::optional<ConnectionProfile> duplicateProfile(const QString& id) = 0;
    virtual ProfileStore::ImportReport importProfiles(const QByteArray& json) = 0;
    virtual QByteArray exportProfiles() const = 0;
    virtual std::optional<ConnectionProfile> profile(const QString& id) const = 0;   // saved ones only

    // Demo traffic on the local engine.
    virtual void setDemoRunning(bool on) = 0;
    virtual bool demoRunning() const = 0;
    // The L1+L2 demo on a Redis connection (refused on read-only ones; on production ones `confirmation` carries the
    // typed name). providerDemoChanged(id, demo, true) follows once it runs; stopping it removes its keys first.
    virtual void startProviderDemo(int row, const Confirmation& confirmation = {}) = 0;
    virtual void stopProviderDemo(const QString& connectionId) = 0;
    virtual bool providerDemoRunning(const QString& connectionId) const = 0;

Q_SIGNALS:
    void notice(const QString& message);                                  // one sentence for the status bar
    void sourceReady(const QString& id, cachelens::Source* source);       // nullptr: it is about to go
    void providerDemoChanged(const QString& connectionId, cachelens::Source* demo, bool running);
};

} // namespace cachelens::ui
