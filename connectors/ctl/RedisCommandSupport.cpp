#include "connectors/ctl/RedisCommandSupport.h"

#include "connectors/ConnectionUrl.h"
#include "connectors/redis/SentinelResolver.h"

#include <QCoreApplication>
#include <QLocale>

namespace cachelens::ctl {

std::unique_ptr<redis::RedisClient> connectRedis(Context& ctx, const QString& commandName, const QString& urlText,
                                                 int& exitCode)
{
    const auto parsed = ConnectionUrl::parse(urlText);
    if (!parsed.ok()) {
        ctx.err << "cachelensctl " << commandName << ": " << parsed.error << '\n' << parsed.pointedError(urlText) << Qt::endl;
        exitCode = Misuse;
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
