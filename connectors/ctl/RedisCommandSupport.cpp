#include "connectors/ctl/RedisCommandSupport.h"

#include "connectors/ConnectionUrl.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretStore.h"
#include "connectors/redis/SentinelResolver.h"

#include <QCoreApplication>
#include <QLocale>

namespace cachelens::ctl {

ConnectionUrl urlWithSecrets(const ConnectionProfile& profile, QString* problem)
{
    ConnectionUrl url = profile.url;
    if (profile.keychainSecrets == false)   // saved without a password: nothing to read, no keychain to miss
        return url;
    if (const auto secret = readSecret(profile.id, problem))
        url.password = *secret;
    if (url.scheme == ConnectionUrl::Scheme::Sentinel) {
        if (const auto secret = readSecret(ConnectionProfile::sentinelSecretKey(profile.id), problem))
            url.sentinelPassword = *secret;
    }
    return url;
}

std::optional<QString> readSecret(const QString& profileId, QString* problem)
{
    SecretStore secrets;
    QEventLoop loop;
    std::optional<SecretStore::Result> result;
    secrets.read(profileId, &loop, [&](const SecretStore::Result& r) {
        result = r;
        loop.quit();
    });
    if (!result)
        loop.exec();
    if (result->ok())
        return result->secret;
    if (problem && result->status != SecretStore::Status::NotFound)
        *problem = result->message;
    return std::nullopt;
}

std::unique_ptr<redis::RedisClient> connectRedis(Context& ctx, const QString& commandName, const QString& urlText,
                                                 int& exitCode)
{
    auto parsed = ConnectionUrl::parse(urlText);
    // Not a URL but the name (or id) of a saved connection: use it, with its password from the keychain.
    if (!urlText.contains(QStringLiteral("://"))) {
        if (const auto profile = ProfileStore().find(urlText)) {
            parsed = ConnectionUrl::ParseResult{};
            QString problem;
            parsed.url = urlWithSecrets(*profile, &problem);
            if (!problem.isEmpty())
                ctx.err << "cachelensctl " << commandName << ": " << problem << Qt::endl;
        }
    }
    if (!parsed.ok()) {
        exitCode = badUrl(ctx, commandName, parsed);
        return nullptr;
    }
    redis::RedisClient::Options options;
    options.maxReconnectAttempts = 0;
    std::unique_ptr<redis::RedisClient> client(parsed.url->scheme == ConnectionUrl::Scheme::Sentinel
                                                   ? redis::SentinelResolver::createClient(*parsed.url, options)
                                                   : new redis::RedisClient(*parsed.url, options));
    QEventLoop loop;
    QObject::connect(client.get(), &redis::RedisClient::stateChanged, &loop, [&loop](ConnectionState state) {
        if (state == ConnectionState::Ready || state == ConnectionState::Failed)
            loop.quit();
    });
    client->open();
    if (client->state() != ConnectionState::Ready && client->state() != ConnectionState::Failed)
        loop.exec();
    if (client->state() != ConnectionState::Ready) {
        ctx.err << "cachelensctl " << commandName << ": " << client->stateDetail() << Qt::endl;
        exitCode = Failed;
        return nullptr;
    }
    if (parsed.url->isTls() && !parsed.url->verifyPeer)
        ctx.err << "cachelensctl " << commandName << ": warning: TLS certificate verification is off (verify=no)" << Qt::endl;
    exitCode = Ok;
    return client;
}

redis::RedisReply callRedis(redis::RedisClient& client, const QList<QByteArray>& args)
{
    QEventLoop loop;
    std::optional<redis::RedisReply> reply;
    client.command(args, &loop, [&](const redis::RedisReply& r) {
        reply = r;
        loop.quit();
    });
    if (!reply)
        loop.exec();
    return reply.value_or(redis::RedisReply{});
}

QString formatCount(qint64 n) { return QLocale::c().toString(n); }

QString formatBytes(qint64 bytes)
{
    if (bytes < 0)
        return QStringLiteral("?");
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

} // namespace cachelens::ctl
