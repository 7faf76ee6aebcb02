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
    const Credentials first = m_url.sentinelPassword.isEmpty() ? Credentials::None : Credentials::Sentinel;
    ask(0, first, std::make_shared<Done>(std::move(done)), {});
}

namespace {

bool isAuthError(const RedisError& e) { return e.kind == RedisError::Kind::NoAuth || e.kind == RedisError::Kind::WrongPass; }

// The server's words from a handshake error ("authentication to h:p failed: WRONGPASS …" → "WRONGPASS …").
QString serverWords(const RedisError& e)
{
    for (const char* word : {"WRONGPASS", "NOAUTH", "ERR"}) {
        if (const qsizetype at = e.message.indexOf(QLatin1String(word)); at >= 0)
            return e.message.mid(at);
    }
    return e.message;
}

} // namespace

void SentinelResolver::ask(int index, Credentials credentials, std::shared_ptr<Done> done, Failures failures)
{
    if (index >= m_url.sentinels.size()) {
        const bool final = failures.allAuth && !failures.reasons.isEmpty();
        (*done)({}, RedisError::client(final ? RedisError::Kind::WrongPass : RedisError::Kind::Connection,
                                       tr("no sentinel could name the master '%1': %2")
                                           .arg(m_url.masterName, failures.reasons.join(QStringLiteral("; ")))));
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
    ConnectionUrl auth;   // the client's handshake sends AUTH [user] password when a password is set
    if (credentials == Credentials::Sentinel) {
        auth.user = m_url.sentinelUser;
        auth.password = m_url.sentinelPassword;
    } else if (credentials == Credentials::Master) {
        auth.user = m_url.user;
        auth.password = m_url.password;
    }
    auto* client = new RedisClient(endpoint, auth, options, this);
    client->open();   // the command below waits for Ready, or fails with the connection
    client->command({QByteArrayLiteral("SENTINEL"), QByteArrayLiteral("get-master-addr-by-name"), m_url.masterName.toUtf8()},
                    this, [this, client, index, credentials, done, failures, endpoint](const RedisReply& reply) mutable {
                        client->deleteLater();
                        const QString where = tr("sentinel %1").arg(endpoint.label());
                        const RedisError error = reply.isError() ? reply.error() : RedisError{};
                        const QString add = tr("add sentinel_password=… to the URL");
                        if (isAuthError(error) && credentials == Credentials::None && m_url.hasPassword()) {
                            // The usual set-up gives the sentinels the master's password: try that.
                            ask(index, Credentials::Master, done, failures);
                            return;
                        }
                        if (isAuthError(error)) {
                            if (credentials == Credentials::Sentinel)
                                failures.reasons << tr("%1 refused the sentinel password (%2)").arg(where, serverWords(error));
                            else if (credentials == Credentials::Master && error.kind == RedisError::Kind::WrongPass)
                                failures.reasons << tr("%1 requires a password and refused the master's (%2): %3")
                                                        .arg(where, serverWords(error), add);
                            else
                                failures.reasons << tr("%1 requires a password: %2").arg(where, add);
                        } else if (reply.isError()) {
                            failures.allAuth = false;
                            failures.reasons << where + QStringLiteral(": ") + error.message;
                        } else if (!reply.isArray() || reply.elements().size() != 2) {
                            failures.allAuth = false;
                            failures.reasons << tr("%1 does not monitor a master named '%2'").arg(endpoint.label(), m_url.masterName);
                        } else {
                            Endpoint master;
                            master.kind = Endpoint::Kind::Tcp;
                            master.host = QString::fromUtf8(reply.elements().at(0).bytes());
                            master.port = quint16(reply.elements().at(1).bytes().toUInt());
                            (*done)(master, {});
                            return;
                        }
                        const Credentials next = m_url.sentinelPassword.isEmpty() ? Credentials::None : Credentials::Sentinel;
                        ask(index + 1, next, done, failures);
                    });
}

} // namespace cachelens::redis
