#include "connectors/ctl/RedisCommandSupport.h"

#include "connectors/ConnectionUrl.h"
#include "connectors/RedisSource.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretResolver.h"
#include "connectors/redis/SentinelResolver.h"

#include <QCoreApplication>
#include <QLocale>

namespace cachelens::ctl {
namespace {

// The password the user handed this run without putting it on the command line: --password-stdin, then
// $CACHELENS_PASSWORD.
std::optional<QString> givenPassword(const Context& ctx)
{
    if (ctx.password)
        return ctx.password;
    if (const QString env = qEnvironmentVariable("CACHELENS_PASSWORD"); !env.isEmpty())
        return env;
    return std::nullopt;
}

// Said only once the server wanted a password: a connection that needs none needs no keychain either.
void sayKeychainProblem(Context& ctx, const QString& command, const Target& target)
{
    if (!target.keychainProblem.isEmpty())
        ctx.err << "cachelensctl " << command << ": '" << target.display << "': " << target.keychainProblem
                << " (give it with --password-stdin or $CACHELENS_PASSWORD)" << Qt::endl;
}

} // namespace

std::optional<Target> resolveTarget(Context& ctx, const QString& command, const QString& text, int& exitCode)
{
    Target t;
    const std::optional<QString> given = givenPassword(ctx);
    // Not a URL but the name (or id) of a saved connection: use it, with its flags and secrets.
    if (!text.contains(QStringLiteral("://")))
        t.profile = ProfileStore().find(text);
    if (t.profile) {
        t.id = t.profile->id;
        t.display = t.profile->name;
        t.guard = GuardPolicy::forProfile(*t.profile);
        // The keychain is not asked for the master's password the user has just given.
        const auto resolved = SecretResolver::resolveNow(*t.profile, {given, std::nullopt});
        t.url = resolved.url;
        t.keychainProblem = resolved.problem;
        exitCode = Ok;
        return t;
    }
    if (!text.contains(QStringLiteral("://")) && !text.trimmed().isEmpty() && !text.contains(QLatin1Char('@'))) {
        ctx.err << "cachelensctl " << command << ": "
                << QCoreApplication::translate("ctl", "no saved connection is called '%1' (cachelensctl connections list "
                                                      "shows them), and it is not a URL such as redis://host:6379")
                       .arg(ConnectionUrl::masked(text))
                << Qt::endl;
        exitCode = Misuse;
        return std::nullopt;
    }
    const auto parsed = ConnectionUrl::parse(text);
    if (!parsed.ok()) {
        exitCode = badUrl(ctx, command, parsed);
        return std::nullopt;
    }
    t.url = *parsed.url;
    if (t.url.password.isEmpty() && given)
        t.url.password = *given;
    t.id = QStringLiteral("cli");
    t.display = t.url.toString();
    t.guard.connection = t.display;
    exitCode = Ok;
    return t;
}

bool refusedChange(Context& ctx, const QString& command, const Target& target, const Confirmation& confirmation)
{
    const auto refusal = ChangeGuard(target.guard).check(confirmation);
    if (refusal)
        ctx.err << "cachelensctl " << command << ": " << refusal->message << Qt::endl;
    return refusal.has_value();
}

std::unique_ptr<redis::RedisClient> connectRedis(Context& ctx, const QString& command, const Target& target, int& exitCode)
{
    redis::RedisClient::Options options;
    options.maxReconnectAttempts = 0;
    std::unique_ptr<redis::RedisClient> client(target.url.scheme == ConnectionUrl::Scheme::Sentinel
                                                   ? redis::SentinelResolver::createClient(target.url, options)
                                                   : new redis::RedisClient(target.url, options));
    QEventLoop loop;
    QObject::connect(client.get(), &redis::RedisClient::stateChanged, &loop, [&loop](ConnectionState state) {
        if (state == ConnectionState::Ready || state == ConnectionState::Failed)
            loop.quit();
    });
    client->open();
    if (client->state() != ConnectionState::Ready && client->state() != ConnectionState::Failed)
        loop.exec();
    if (client->state() != ConnectionState::Ready) {
        ctx.err << "cachelensctl " << command << ": " << client->stateDetail() << Qt::endl;
        sayKeychainProblem(ctx, command, target);
        exitCode = Failed;
        return nullptr;
    }
    if (target.url.isTls() && !target.url.verifyPeer)
        ctx.err << "cachelensctl " << command << ": warning: TLS certificate verification is off (verify=no)" << Qt::endl;
    exitCode = Ok;
    return client;
}

std::unique_ptr<redis::RedisClient> connectRedis(Context& ctx, const QString& command, const QString& text, int& exitCode)
{
    const auto target = resolveTarget(ctx, command, text, exitCode);
    if (!target)
        return nullptr;
    return connectRedis(ctx, command, *target, exitCode);
}

std::unique_ptr<RedisSource> openSource(Context& ctx, const QString& command, const Target& target)
{
    RedisSource::Options options;
    options.client.maxReconnectAttempts = 0;
    options.guard = target.guard;
    auto source = std::make_unique<RedisSource>(target.id, target.display, target.url, options);
    QEventLoop loop;
    ConnectionState state = ConnectionState::Connecting;
    QString detail;
    QObject::connect(source.get(), &Source::stateChanged, &loop, [&](ConnectionState s, const QString& d) {
        state = s;
        detail = d;
        if (s == ConnectionState::Ready || s == ConnectionState::Failed || s == ConnectionState::Reconnecting)
            loop.quit();
    });
    source->open();
    loop.exec();
    if (state != ConnectionState::Ready) {
        ctx.err << "cachelensctl " << command << ": " << detail << Qt::endl;
        sayKeychainProblem(ctx, command, target);
        return nullptr;
    }
    return source;
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

int exitCodeFor(const SourceError& error, bool changedAnything)
{
    if (!error.isError())
        return Ok;
    return error.kind == SourceError::Kind::InvalidArgument && !changedAnything ? Misuse : Failed;
}

QString formatCount(qint64 n) { return QLocale::c().toString(n); }

} // namespace cachelens::ctl
