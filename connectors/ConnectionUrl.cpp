#include "connectors/ConnectionUrl.h"

#include <QCoreApplication>
#include <QUrl>

namespace cachelens {
namespace {

using Result = ConnectionUrl::ParseResult;

Result fail(int column, const QString& message)
{
    Result r;
    r.error = message;
    r.errorColumn = column;
    return r;
}

QString tr(const char* text) { return QCoreApplication::translate("ConnectionUrl", text); }

// Parses "host[:port]" starting at `offset` in the original text (for error columns).
std::optional<HostPort> parseHostPort(const QString& part, int offset, quint16 defaultPort, Result& error)
{
    HostPort hp;
    hp.port = defaultPort;
    QString portText;
    int portColumn = -1;
    if (part.startsWith(QLatin1Char('['))) {
        const int close = part.indexOf(QLatin1Char(']'));
        if (close < 0) {
            error = fail(offset, tr("IPv6 address is missing its closing ']'"));
            return std::nullopt;
        }
        hp.host = part.mid(1, close - 1);
        const QString rest = part.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(QLatin1Char(':'))) {
                error = fail(offset + close + 1, tr("expected ':' and a port after the IPv6 address"));
                return std::nullopt;
            }
            portText = rest.mid(1);
            portColumn = offset + close + 2;
        }
    } else {
        const int colon = part.lastIndexOf(QLatin1Char(':'));
        if (colon >= 0) {
            hp.host = part.left(colon);
            portText = part.mid(colon + 1);
            portColumn = offset + colon + 1;
        } else {
            hp.host = part;
        }
    }
    if (hp.host.isEmpty()) {
        error = fail(offset, tr("host is missing"));
        return std::nullopt;
    }
    for (int i = 0; i < hp.host.size(); ++i) {
        const QChar c = hp.host.at(i);
        if (c.isSpace() || c == QLatin1Char('/') || c == QLatin1Char('@') || c == QLatin1Char('?')) {
            error = fail(offset + (part.startsWith(QLatin1Char('[')) ? 1 : 0) + i,
                         tr("host '%1' contains '%2'").arg(hp.host, c));
            return std::nullopt;
        }
    }
    if (portColumn >= 0) {
        bool ok = false;
        const uint port = portText.toUInt(&ok);
        if (portText.isEmpty()) {
            error = fail(portColumn, tr("port is missing after ':'"));
            return std::nullopt;
        }
        if (!ok) {
            error = fail(portColumn, tr("port '%1' is not a number").arg(portText));
            return std::nullopt;
        }
        if (port < 1 || port > 65535) {
            error = fail(portColumn, tr("port '%1' is out of range 1–65535").arg(portText));
            return std::nullopt;
        }
        hp.port = static_cast<quint16>(port);
    }
    return hp;
}

bool parseDb(const QString& text, int column, int& db, Result& error)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < 0) {
        error = fail(column, tr("database '%1' is not a non-negative number").arg(text));
        return false;
    }
    db = value;
    return true;
}

} // namespace

QString ConnectionUrl::ParseResult::pointedError(const QString& input) const
{
    if (ok())
        return {};
    const int column = qBound(0, errorColumn, int(input.size()));
    return input + QLatin1Char('\n') + QString(column, QLatin1Char(' ')) + QStringLiteral("^ ") + error;
}

ConnectionUrl::ParseResult ConnectionUrl::parse(const QString& input)
{
    const QString text = input.trimmed();
    const int lead = int(input.indexOf(text.isEmpty() ? QString() : text.left(1)));   // columns refer to `input`
    if (text.isEmpty())
        return fail(0, tr("the URL is empty; expected e.g. redis://localhost:6379"));

    ConnectionUrl url;
    const int sep = text.indexOf(QStringLiteral("://"));
    if (sep < 0)
        return fail(lead, tr("missing scheme; expected redis://, rediss://, unix:// or redis-sentinel://"));
    const QString scheme = text.left(sep).toLower();
    if (scheme == QLatin1String("redis"))
        url.scheme = Scheme::Redis;
    else if (scheme == QLatin1String("rediss"))
        url.scheme = Scheme::RedisTls;
    else if (scheme == QLatin1String("unix"))
        url.scheme = Scheme::Unix;
    else if (scheme == QLatin1String("redis-sentinel"))
        url.scheme = Scheme::Sentinel;
    else
        return fail(lead, tr("unknown scheme '%1'; expected redis, rediss, unix or redis-sentinel").arg(text.left(sep)));

    int pos = sep + 3;
    QString rest = text.mid(pos);

    // Query
    QString query;
    int queryColumn = -1;
    if (const int q = rest.indexOf(QLatin1Char('?')); q >= 0) {
        query = rest.mid(q + 1);
        queryColumn = lead + pos + q + 1;
        rest = rest.left(q);
    }

    // Userinfo: the last '@' before the path, so passwords may contain '@' when percent-encoded or not.
    const int slash = url.scheme == Scheme::Unix ? int(rest.indexOf(QLatin1Char('/'))) : int(rest.indexOf(QLatin1Char('/')));
    const int at = rest.lastIndexOf(QLatin1Char('@'), slash < 0 ? -1 : slash);
    if (at >= 0 && (slash < 0 || at < slash)) {
        const QString userinfo = rest.left(at);
        const int colon = userinfo.indexOf(QLatin1Char(':'));
        if (colon < 0) {
            // "redis://secret@host": redis-cli and most clients treat a lone userinfo as the password.
            url.password = QUrl::fromPercentEncoding(userinfo.toUtf8());
        } else {
            url.user = QUrl::fromPercentEncoding(userinfo.left(colon).toUtf8());
            url.password = QUrl::fromPercentEncoding(userinfo.mid(colon + 1).toUtf8());
        }
        pos += at + 1;
        rest = rest.mid(at + 1);
    }
    const int restColumn = lead + pos;

    Result error;
    switch (url.scheme) {
    case Scheme::Unix: {
        if (!rest.startsWith(QLatin1Char('/')))
            return fail(restColumn, tr("a unix socket URL needs an absolute path: unix:///path/to/redis.sock"));
        if (rest.size() == 1)
            return fail(restColumn, tr("the socket path is missing"));
        url.socketPath = rest;
        url.port = 0;
        break;
    }
    case Scheme::Redis:
    case Scheme::RedisTls: {
        const int s = rest.indexOf(QLatin1Char('/'));
        const QString authority = s < 0 ? rest : rest.left(s);
        if (authority.isEmpty())
            return fail(restColumn, tr("host is missing"));
        auto hp = parseHostPort(authority, restColumn, 6379, error);
        if (!hp)
            return error;
        url.host = hp->host;
        url.port = hp->port;
        if (s >= 0) {
            const QString dbText = rest.mid(s + 1);
            if (!dbText.isEmpty() && !parseDb(dbText, restColumn + s + 1, url.db, error))
                return error;
        }
        break;
    }
    case Scheme::Sentinel: {
        const int s = rest.indexOf(QLatin1Char('/'));
        if (s < 0)
            return fail(lead + int(input.trimmed().size()), tr("the master name is missing: redis-sentinel://host:26379/mymaster"));
        const QString hosts = rest.left(s);
        if (hosts.isEmpty())
            return fail(restColumn, tr("at least one sentinel host is needed"));
        int column = restColumn;
        for (const QString& part : hosts.split(QLatin1Char(','))) {
            auto hp = parseHostPort(part, column, 26379, error);
            if (!hp)
                return error;
            url.sentinels.append(*hp);
            column += int(part.size()) + 1;
        }
        const QStringList path = rest.mid(s + 1).split(QLatin1Char('/'));
        url.masterName = path.value(0);
        if (url.masterName.isEmpty())
            return fail(restColumn + s + 1, tr("the master name is missing"));
        if (path.size() > 1 && !path.at(1).isEmpty()
            && !parseDb(path.at(1), restColumn + s + 2 + int(url.masterName.size()), url.db, error))
            return error;
        url.host.clear();
        url.port = 0;
        break;
    }
    }

    // Query options
    if (!query.isEmpty()) {
        int column = queryColumn;
        for (const QString& item : query.split(QLatin1Char('&'))) {
            const int eq = item.indexOf(QLatin1Char('='));
            const QString name = (eq < 0 ? item : item.left(eq)).toLower();
            const QString value = eq < 0 ? QString() : QUrl::fromPercentEncoding(item.mid(eq + 1).toUtf8());
            const int valueColumn = column + (eq < 0 ? int(item.size()) : eq + 1);
            if (name == QLatin1String("db")) {
                if (!parseDb(value, valueColumn, url.db, error))
                    return error;
            } else if (name == QLatin1String("timeout")) {
                bool ok = false;
                url.timeoutMs = value.toInt(&ok);
                if (!ok || url.timeoutMs <= 0)
                    return fail(valueColumn, tr("timeout '%1' must be a positive number of milliseconds").arg(value));
            } else if (url.scheme == Scheme::RedisTls && (name == QLatin1String("ca") || name == QLatin1String("cert")
                                                           || name == QLatin1String("key") || name == QLatin1String("sni"))) {
                if (value.isEmpty())
                    return fail(valueColumn, tr("option '%1' needs a value").arg(name));
                (name == QLatin1String("ca") ? url.caFile : name == QLatin1String("cert") ? url.certFile
                 : name == QLatin1String("key") ? url.keyFile : url.sni) = value;
            } else if (url.scheme == Scheme::RedisTls && name == QLatin1String("verify")) {
                const QString v = value.toLower();
                if (v == QLatin1String("yes") || v == QLatin1String("true") || v == QLatin1String("1"))
                    url.verifyPeer = true;
                else if (v == QLatin1String("no") || v == QLatin1String("false") || v == QLatin1String("0"))
                    url.verifyPeer = false;
                else
                    return fail(valueColumn, tr("verify must be yes or no, not '%1'").arg(value));
            } else if (url.scheme == Scheme::Sentinel
                       && (name == QLatin1String("sentinel_password") || name == QLatin1String("sentinel_user")
                           || name == QLatin1String("sentinel_username"))) {
                if (value.isEmpty())
                    return fail(valueColumn, tr("option '%1' needs a value").arg(name));
                (name == QLatin1String("sentinel_password") ? url.sentinelPassword : url.sentinelUser) = value;
            } else {
                return fail(column, tr("unknown option '%1' for %2://").arg(name, scheme));
            }
            column += int(item.size()) + 1;
        }
    }
    if ((!url.certFile.isEmpty()) != (!url.keyFile.isEmpty()))
        return fail(queryColumn, tr("a client certificate needs both cert= and key="));

    Result ok;
    ok.url = url;
    return ok;
}

QString ConnectionUrl::endpointLabel() const
{
    switch (scheme) {
    case Scheme::Unix:
        return db ? QStringLiteral("%1 db %2").arg(socketPath).arg(db) : socketPath;
    case Scheme::Sentinel:
        return QCoreApplication::translate("ConnectionUrl", "%1 via %n sentinel(s)", nullptr, int(sentinels.size()))
            .arg(masterName);
    case Scheme::Redis:
    case Scheme::RedisTls:
        break;
    }
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return db ? QStringLiteral("%1:%2/%3").arg(h).arg(port).arg(db) : QStringLiteral("%1:%2").arg(h).arg(port);
}

QString ConnectionUrl::toString(bool withSecret) const
{
    static const char* const names[] = {"redis", "rediss", "unix", "redis-sentinel"};
    QString out = QString::fromLatin1(names[int(scheme)]) + QStringLiteral("://");
    if (!user.isEmpty() || !password.isEmpty()) {
        out += QString::fromUtf8(QUrl::toPercentEncoding(user));
        // Always write the ':' — "user@host" would parse back as a lone password.
        out += QLatin1Char(':');
        if (!password.isEmpty())
            out += withSecret ? QString::fromUtf8(QUrl::toPercentEncoding(password)) : QStringLiteral("***");
        out += QLatin1Char('@');
    }
    QStringList query;
    switch (scheme) {
    case Scheme::Unix:
        out += socketPath;
        if (db)
            query << QStringLiteral("db=%1").arg(db);
        break;
    case Scheme::Sentinel: {
        QStringList hosts;
        for (const HostPort& hp : sentinels)
            hosts << QStringLiteral("%1:%2").arg(hp.host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(hp.host) : hp.host).arg(hp.port);
        out += hosts.join(QLatin1Char(',')) + QLatin1Char('/') + masterName;
        if (db)
            out += QStringLiteral("/%1").arg(db);
        break;
    }
    case Scheme::Redis:
    case Scheme::RedisTls:
        out += endpointLabel();
        break;
    }
    if (timeoutMs)
        query << QStringLiteral("timeout=%1").arg(timeoutMs);
    if (scheme == Scheme::RedisTls) {
        if (!caFile.isEmpty()) query << QStringLiteral("ca=") + caFile;
        if (!certFile.isEmpty()) query << QStringLiteral("cert=") + certFile;
        if (!keyFile.isEmpty()) query << QStringLiteral("key=") + keyFile;
        if (!sni.isEmpty()) query << QStringLiteral("sni=") + sni;
        if (!verifyPeer) query << QStringLiteral("verify=no");
    }
    if (scheme == Scheme::Sentinel) {
        if (!sentinelUser.isEmpty())
            query << QStringLiteral("sentinel_user=") + QString::fromUtf8(QUrl::toPercentEncoding(sentinelUser));
        if (!sentinelPassword.isEmpty())
            query << QStringLiteral("sentinel_password=")
                         + (withSecret ? QString::fromUtf8(QUrl::toPercentEncoding(sentinelPassword)) : QStringLiteral("***"));
    }
    if (!query.isEmpty())
        out += QLatin1Char('?') + query.join(QLatin1Char('&'));
    return out;
}

} // namespace cachelens
