#include "connectors/ConnectionUrl.h"
#include "connectors/ctl/Commands.h"

#include <QCoreApplication>

namespace cachelens::ctl {

// `cachelensctl url URL`: check a connection URL before a pipeline uses it; prints the canonical form with the
// password masked, or points at the bad part and exits 2.
Command urlCommand()
{
    Command c;
    c.name = QStringLiteral("url");
    c.summary = QCoreApplication::translate("ctl", "check a connection URL and print its canonical form (password masked)");
    c.usage = QStringLiteral("cachelensctl url URL");
    c.options = {option("URL", "redis://[user:pass@]host[:port][/db][?timeout=MS], rediss://…[?ca=FILE&cert=FILE&key=FILE&"
                               "sni=NAME&verify=yes|no], unix:///path.sock[?db=N] or redis-sentinel://host[:port][,host…]/"
                               "master[/db][?sentinel_password=P&sentinel_user=U]; percent-encode '@', '%' and '?' in passwords")};
    c.run = [](Context& ctx) {
        if (ctx.args.size() != 1)
            return misuse(ctx, QStringLiteral("url"), QStringLiteral("expects exactly one URL, e.g. redis://localhost:6379/0"));
        const auto parsed = ConnectionUrl::parse(ctx.args.first());
        if (!parsed.ok()) {
            ctx.err << "cachelensctl url: " << parsed.error << " (at column " << parsed.errorColumn + 1 << ")\n"
                    << parsed.pointedError() << Qt::endl;
            return int(Misuse);
        }
        ctx.out << parsed.url->toString() << Qt::endl;
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
