#include "app/cachelens/ProviderDemos.h"

#include "connectors/SourceHost.h"
#include "connectors/ProviderDemoSource.h"

namespace cachelens::app {

ProviderDemos::ProviderDemos(QObject* parent) : QObject(parent) {}

ProviderDemos::~ProviderDemos() = default;

void ProviderDemos::start(const QString& id, const QString& name, const ConnectionUrl& url, const GuardPolicy& guard,
                          const Confirmation& confirmation)
{
    if (running(id))
        return;
    auto* demo = new provider::ProviderDemoSource(id, name, url, {}, guard, confirmation);
    connect(demo, &provider::ProviderDemoSource::stateChanged, this,
            [this, id, name, demo](ConnectionState state, const QString& detail) {
                if (state != ConnectionState::Failed)
                    return;
                Q_EMIT notice(tr("The L1+L2 demo on %1 did not start: %2").arg(name, detail));
                gone(id, demo);   // it wrote nothing (or removed what it wrote): it can be started again
            });
    connect(demo, &provider::ProviderDemoSource::demoStopped, this, [this, id, demo](const QString& sentence) {
        Q_EMIT notice(sentence);
        gone(id, demo);
    });
    m_demos.emplace(id, std::make_unique<SourceHost>(demo));
    m_demos.at(id)->open();
    Q_EMIT changed(id, demo, true);
}

void ProviderDemos::gone(const QString& id, Source* demo)
{
    const auto it = m_demos.find(id);
    if (it == m_demos.end() || it->second->source() != demo)
        return;
    Q_EMIT changed(id, demo, false);
    m_demos.erase(it);
}

void ProviderDemos::stop(const QString& id)
{
    const auto it = m_demos.find(id);
    if (it == m_demos.end())
        return;
    // On the demo's thread: stop the traffic, remove its keys, then demoStopped (above) lets the host go.
    QMetaObject::invokeMethod(qobject_cast<provider::ProviderDemoSource*>(it->second->source()),
                              &provider::ProviderDemoSource::stopDemo, Qt::QueuedConnection);
}

} // namespace cachelens::app
