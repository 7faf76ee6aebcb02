#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretStore.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace cachelens::ctl {
namespace {

const QString kName = QStringLiteral("connections");

// The keychain's answers, waited for on a local event loop (the CLI has nothing else to do meanwhile).
SecretStore::Result writeSecret(const QString& key, const QString& secret)
{
    SecretStore secrets;
    QEventLoop loop;
    std::optional<SecretStore::Result> result;
    secrets.write(key, secret, &loop, [&](const SecretStore::Result& r) {
        result = r;
        loop.quit();
    });
    if (!result)
        loop.exec();
    return *result;
}

void removeSecret(const QString& key)
{
    SecretStore secrets;
    QEventLoop loop;
    bool done = false;
    secrets.remove(key, &loop, [&](const SecretStore::Result&) {
        done = true;
        loop.quit();
    });
    if (!done)
        loop.exec();
}

int list(Context& ctx, bool json)
{
    const auto profiles = ProfileStore().list();
    if (json) {
        QJsonArray array;
        for (const auto& p : profiles)
            array.append(p.toJson());
        ctx.out << QJsonDocument(array).toJson(QJsonDocument::Compact) << Qt::endl;
        return Ok;
    }
    if (profiles.isEmpty()) {
        ctx.out << "no saved connections (add one with: cachelensctl connections add NAME URL)" << Qt::endl;
        return Ok;
    }
    for (const auto& p : profiles) {
        QStringList flags;
        if (p.production)
            flags << QStringLiteral("production");
        if (p.readOnly)
            flags << QStringLiteral("read-only");
        ctx.out << p.name << '\t' << p.url.toString() << (flags.isEmpty() ? QString() : QLatin1Char('\t') + flags.join(QLatin1Char(',')))
                << '\n';
    }
    ctx.out.flush();
    return Ok;
}

int add(Context& ctx, QStringList args)
{
    ConnectionProfile p;
    bool passwordFromStdin = false;
    bool sentinelPasswordFromStdin = false;
    QStringList positional;
    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--production"))
            p.production = true;
        else if (a == QLatin1String("--read-only"))
            p.readOnly = true;
        else if (a == QLatin1String("--password-stdin"))
            passwordFromStdin = true;
        else if (a == QLatin1String("--sentinel-password-stdin"))
            sentinelPasswordFromStdin = true;
        else if (a == QLatin1String("--separator") && i + 1 < args.size())
            p.separator = args.at(++i);
        else if (a.startsWith(QLatin1String("--")))
            return misuse(ctx, kName, QStringLiteral("add: unknown option '%1'").arg(a));
        else
            positional << a;
    }
    if (positional.size() != 2)
        return misuse(ctx, kName, QStringLiteral("add expects NAME URL [--production] [--read-only] [--separator S] "
                                                 "[--password-stdin] [--sentinel-password-stdin]"));
    p.id = ConnectionProfile::newId();
    p.name = positional.at(0);
    const auto parsed = ConnectionUrl::parse(positional.at(1));
    if (!parsed.ok())
        return badUrl(ctx, kName, parsed);
    p.url = *parsed.url;
    if (sentinelPasswordFromStdin && p.url.scheme != ConnectionUrl::Scheme::Sentinel)
        return misuse(ctx, kName, QStringLiteral("add: --sentinel-password-stdin is for redis-sentinel:// URLs"));
    // One line each from standard input: the master's password first, then the sentinels'.
    QString password = p.url.password;
    if (passwordFromStdin)
        password = QString::fromUtf8(ctx.in.readLine()).trimmed();
    QString sentinelPassword = p.url.sentinelPassword;
    if (sentinelPasswordFromStdin)
        sentinelPassword = QString::fromUtf8(ctx.in.readLine()).trimmed();
    if ((!password.isEmpty() && !passwordFromStdin) || (!sentinelPassword.isEmpty() && !sentinelPasswordFromStdin))
        ctx.err << "cachelensctl connections: note: a password in a URL on the command line is visible to other "
                   "users of this machine; prefer --password-stdin (and --sentinel-password-stdin)"
                << Qt::endl;
    p.keychainSecrets = !password.isEmpty() || !sentinelPassword.isEmpty();
    ProfileStore profiles;
    QString error;
    if (!profiles.save(p, &error))   // first, so that a name already taken never reaches the keychain
        return misuse(ctx, kName, error);
    // A password the keychain cannot keep leaves nothing behind: a connection saved without it would only fail later,
    // with the password already gone from the user's hands.
    QStringList stored;
    QString refusal;
    for (const auto& [key, secret] : {std::pair{p.id, password},
                                      std::pair{ConnectionProfile::sentinelSecretKey(p.id), sentinelPassword}}) {
        if (secret.isEmpty())
            continue;
        const SecretStore::Result result = writeSecret(key, secret);
        if (!result.ok()) {
            refusal = result.status == SecretStore::Status::NoKeychain ? SecretStore::noKeychainReason() : result.message;
            break;
        }
        stored << key;
    }
    if (!refusal.isEmpty()) {
        for (const QString& key : stored)
            removeSecret(key);
        profiles.remove(p.id);
        ctx.err << "cachelensctl connections: nothing was saved: " << refusal
                << ", and CacheLens never writes a password to a file. Start or unlock a system keychain (GNOME Keyring, "
                   "KWallet) and add it again, or add the connection without its password and give the password when "
                   "connecting (CACHELENS_PASSWORD=… or --password-stdin)."
                << Qt::endl;
        return Failed;
    }
    ctx.out << "saved " << p.name << " (" << p.url.toString() << ")" << Qt::endl;
    return Ok;
}

int remove(Context& ctx, const QStringList& args)
{
    if (args.size() != 1)
        return misuse(ctx, kName, QStringLiteral("remove expects one NAME"));
    ProfileStore store;
    const auto p = store.find(args.first());
    if (!p)
        return misuse(ctx, kName, QStringLiteral("no saved connection named '%1'").arg(args.first()));
    store.remove(p->id);
    if (p->keychainSecrets != false) {
        for (const QString& key : {p->id, ConnectionProfile::sentinelSecretKey(p->id)})
            removeSecret(key);
    }
    ctx.out << "removed " << p->name << Qt::endl;
    return Ok;
}

int exportTo(Context& ctx, const QStringList& args)
{
    const QByteArray json = ProfileStore().exportJson();
    if (args.isEmpty() || args.first() == QLatin1String("-")) {
        ctx.out << json;
        ctx.out.flush();
        return Ok;
    }
    QFile file(args.first());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size()) {
        ctx.err << "cachelensctl connections: cannot write " << args.first() << ": " << file.errorString() << Qt::endl;
        return Failed;
    }
    ctx.out << "exported to " << args.first() << " (passwords are never exported)" << Qt::endl;
    return Ok;
}

int importFrom(Context& ctx, const QStringList& args)
{
    if (args.size() != 1)
        return misuse(ctx, kName, QStringLiteral("import expects one FILE (or - for standard input)"));
    QByteArray json;
    if (args.first() == QLatin1String("-")) {
        json = ctx.in.readAll();
    } else {
        QFile file(args.first());
        if (!file.open(QIODevice::ReadOnly)) {
            ctx.err << "cachelensctl connections: cannot read " << args.first() << ": " << file.errorString() << Qt::endl;
            return Failed;
        }
        json = file.readAll();
    }
    const auto report = ProfileStore().importJson(json);
    (report.imported > 0 || report.errors.isEmpty() ? ctx.out : ctx.err) << report.summary() << Qt::endl;
    return report.errors.isEmpty() ? Ok : Failed;
}

} // namespace

// `cachelensctl connections list|add|remove|export|import`: the saved connections the GUI shows, for scripts.
// Any Redis subcommand accepts a saved connection's name in place of a URL.
Command connectionsCommand()
{
    Command c;
    c.name = kName;
    c.summary = QCoreApplication::translate("ctl", "list, add, remove, export or import saved connections");
    c.usage = QStringLiteral("cachelensctl connections list [--json]\n"
                             "       cachelensctl connections add NAME URL [--production] [--read-only] [--separator S] [--password-stdin]\n"
                             "                                        [--sentinel-password-stdin]\n"
                             "       cachelensctl connections remove NAME\n"
                             "       cachelensctl connections export [FILE|-]\n"
                             "       cachelensctl connections import FILE|-");
    c.options = {option("list", "the saved connections: name, URL (password masked), flags"),
                 option("add NAME URL", "save a connection; its passwords go to the system keychain, never to a file (without a "
                                        "keychain, a connection with a password is refused and nothing is saved)"),
                 option("remove NAME", "forget a connection and its passwords"),
                 option("export [FILE|-]", "write the saved connections as JSON, without passwords (default: standard output)"),
                 option("import FILE|-", "read connections exported before"),
                 option("--json", "list: print JSON"),
                 option("--production", "add: mark it production (red band; changes need --confirm NAME)"),
                 option("--read-only", "add: refuse every change through it"),
                 option("--separator S", "add: the namespace separator of its keys (default ':')"),
                 option("--password-stdin", "add: read the password from the first line of standard input (not from the "
                                            "command line, where other users see it)"),
                 option("--sentinel-password-stdin", "add: read the sentinels' password from the next line of standard input")};
    c.run = [](Context& ctx) {
        const QString verb = ctx.args.value(0);
        const QStringList rest = ctx.args.mid(1);
        if (verb == QLatin1String("list")) {
            if (!rest.isEmpty() && rest != QStringList{QStringLiteral("--json")})
                return misuse(ctx, kName, QStringLiteral("list takes only --json"));
            return list(ctx, !rest.isEmpty());
        }
        if (verb == QLatin1String("add"))
            return add(ctx, rest);
        if (verb == QLatin1String("remove"))
            return remove(ctx, rest);
        if (verb == QLatin1String("export"))
            return exportTo(ctx, rest);
        if (verb == QLatin1String("import"))
            return importFrom(ctx, rest);
        return misuse(ctx, kName, verb.isEmpty() ? QStringLiteral("missing action: list, add, remove, export or import")
                                                 : QStringLiteral("unknown action '%1'").arg(verb));
    };
    return c;
}

} // namespace cachelens::ctl
