#include "connectors/ctl/SourceCommandSupport.h"

#include "connectors/RedisSource.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/profiles/ProfileStore.h"

namespace cachelens::ctl {

std::optional<ChangeTarget> resolveChangeTarget(Context& ctx, const QString& command, const QString& target,
                                                bool changes, const QString& confirm, const QString& verb,
                                                int& exitCode)
{
    ChangeTarget t;
    if (!target.contains(QStringLiteral("://")))
        t.profile = ProfileStore().find(target);
    if (t.profile && t.profile->readOnly) {
        ctx.err << "cachelensctl " << command << ": refused: the connection '" << t.profile->name
                << "' is read-only (clear its read-only flag to " << verb << ")" << Qt::endl;
        exitCode = Failed;
        return std::nullopt;
    }
    if (t.profile && t.profile->production && changes && confirm != t.profile->name) {
        ctx.err << "cachelensctl " << command << ": refused: '" << t.profile->name
                << "' is a production connection; add --confirm '" << t.profile->name << "'" << Qt::endl;
        exitCode = Misuse;
        return std::nullopt;
    }
    if (t.profile) {
        QString problem;
        t.url = urlWithSecrets(*t.profile, &problem);
        t.id = t.profile->id;
        t.display = t.profile->name;
        return t;
    }
    const auto parsed = ConnectionUrl::parse(target);
    if (!parsed.ok()) {
        exitCode = badUrl(ctx, command, parsed);
        return std::nullopt;
    }
    t.url = *parsed.url;
    t.id = QStringLiteral("cli");
    t.display = t.url.toString();
    return t;
}

std::unique_ptr<RedisSource> openSource(Context& ctx, const QString& command, const ChangeTarget& target)
{
    RedisSource::Options options;
    options.client.maxReconnectAttempts = 0;
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
        return nullptr;
    }
    return source;
}

} // namespace cachelens::ctl
