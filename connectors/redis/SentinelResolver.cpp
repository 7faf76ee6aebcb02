#include "connectors/redis/SentinelResolver.h"

namespace cachelens::redis {

SentinelResolver::SentinelResolver(const ConnectionUrl& url, QObject* parent) : QObject(parent), m_url(url) {}

RedisClient* SentinelResolver::createClient(const ConnectionUrl& url, const RedisClient::Options& options, QObject* parent)
{
    Endpoint unresolved;
    unresolved.kind = Endpoint::Kind::Tcp;
    unresolved.host = url.masterName;   // shown in messages until the first resolution
    RedisClient::Options masterOptions = options;
    masterOptions.requireMaster = true;
    auto* client = new RedisClient(unresolved, url, masterOptions, parent);
    auto* resolver = new SentinelResolver(url, client);
    client->setEndpointResolver([resolver](QObject*, std::function<void(const Endpoint&, const RedisError&)> done) {
        resolver->resolve(std::move(done));
    });
    return client;
}

void SentinelResolver::resolve(Done done)
{
    ask(0, std::make_shared<Done>(std::move(done)), {});
}

void SentinelResolver::ask(int index, std::shared_ptr<Done> done, QStringList failures)
{
    if (index >= m_url.sentinels.size()) {
        (*done)({}, RedisError::client(RedisError::Kind::Connection,
                                       tr("no sentinel could name the master '%1': %2")
                                           .arg(m_url.masterName, failures.join(QStringLiteral("; ")))));
        return;
    }
    const HostPort sentinel = m_url.sentinels.at(index);
    Endpoint endpoint;
    endpoint.kind = Endpoint::Kind::Tcp;
    endpoint.host = sentinel.host;
    endpoint.port = sentinel.port;
    RedisClient::Options options;
    options.maxReconnectAttempts = 0;
    options.connectTimeoutMs = 1000;
    options.commandTimeoutMs = 1000;
    auto* client = new RedisClient(endpoint, ConnectionUrl{}, options, this);
    client->open();   // the command below waits for Ready, or fails with the connection
    client->command({QByteArrayLiteral("SENTINEL"), QByteArrayLiteral("get-master-addr-by-name"), m_url.masterName.toUtf8()},
                    this, [this, client, index, done, failures, endpoint](const RedisReply& reply) mutable {
                        client->deleteLater();
                        const QString where = endpoint.label();
                        if (reply.isError()) {
                            failures << where + QStringLiteral(": ") + reply.error().message;
                        } else if (!reply.isArray() || reply.elements().size() != 2) {
                            failures << tr("%1 does not monitor a master named '%2'").arg(where, m_url.masterName);
                        } else {
                            Endpoint master;
                            master.kind = Endpoint::Kind::Tcp;
                            master.host = QString::fromUtf8(reply.elements().at(0).bytes());
                            master.port = quint16(reply.elements().at(1).bytes().toUInt());
                            (*done)(master, {});
                            return;
                        }
                        ask(index + 1, done, failures);
                    });
}

} // namespace cachelens::redis
