#pragma once
// ProviderDemos: the L1+L2 demo of each Redis connection — two engine instances with L1 in front of the server and
// the invalidation bus between them, running demo traffic under their own key prefix
// (connectors/provider/ProviderDemoSource) — each on its own worker thread. Its guard (the connection's flags, and
// the name typed on production) is checked and the audit row written before any key is written; stopping it removes
// its keys on its thread and says so, then it goes.
#include "connectors/ConnectionUrl.h"
#include "connectors/guard/ChangeGuard.h"

#include <QObject>

#include <map>
#include <memory>

namespace cachelens {
class Source;
class SourceHost;
}

namespace cachelens::app {

class ProviderDemos : public QObject
{
    Q_OBJECT
public:
    explicit ProviderDemos(QObject* parent = nullptr);
    ~ProviderDemos() override;   // each running demo removes its keys on its thread before it goes

    // changed(id, demo, true) follows at once; a demo that cannot start says why and goes (changed(…, false)).
    void start(const QString& connectionId, const QString& name, const ConnectionUrl& url, const GuardPolicy& guard,
               const Confirmation& confirmation);
    void stop(const QString& connectionId);        // its keys are removed, then notice and changed(…, false)
    bool running(const QString& connectionId) const { return m_demos.count(connectionId) > 0; }

Q_SIGNALS:
    void notice(const QString& message);
    void changed(const QString& connectionId, cachelens::Source* demo, bool running);

private:
    void gone(const QString& connectionId, Source* demo);   // changed(…, false), then the host goes

    std::map<QString, std::unique_ptr<SourceHost>> m_demos;   // by connection id
};

} // namespace cachelens::app
