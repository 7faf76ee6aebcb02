// ConnectionUrl is the Qt face of the one URL grammar, connectors/provider/core/Url.h: this file only converts
// (QString <-> UTF-8, byte positions <-> QString indices) and translates the core's sentences.
#include "connectors/ConnectionUrl.h"

#include "connectors/provider/core/Url.h"

#include <QCoreApplication>

namespace cachelens {
namespace {

using Scheme = ConnectionUrl::Scheme;

std::string utf8(const QString& s) { return s.toStdString(); }
QString qt(const std::string& s) { return QString::fromStdString(s); }

// The QString index of the byte offset `position` in `bytes` (UTF-8).
int indexOf(std::string_view bytes, std::size_t position)
{
    const std::string_view prefix = bytes.substr(0, std::min(position, bytes.size()));
    return int(QString::fromUtf8(prefix.data(), qsizetype(prefix.size())).size());
}

QString translated(const rediscore::UrlError& error)
{
    // The core's English text is the source text; it is filled in after translation so an argument is never taken
    // for a placeholder.
    const QByteArray text = QCoreApplication::translate("ConnectionUrl", error.text).toUtf8();
    return qt(rediscore::fillPlaceholders(std::string_view(text.constData(), std::size_t(text.size())), error.args));
}

rediscore::Url toCore(const ConnectionUrl& u)
{
    rediscore::Url c;
    c.scheme = rediscore::Scheme(int(u.scheme));
    c.host = utf8(u.host);
    c.port = u.port;
    c.socketPath = utf8(u.socketPath);
    for (const HostPort& hp : u.sentinels)
        c.sentinels.push_back({utf8(hp.host), hp.port});
    c.masterName = utf8(u.masterName);
    c.db = u.db;
    c.user = utf8(u.user);
    c.password = utf8(u.password);
    c.sentinelUser = utf8(u.sentinelUser);
    c.sentinelPassword = utf8(u.sentinelPassword);
    c.timeoutMs = u.timeoutMs;
    c.caFile = utf8(u.caFile);
    c.certFile = utf8(u.certFile);
    c.keyFile = utf8(u.keyFile);
    c.sni = utf8(u.sni);
    c.verifyPeer = u.verifyPeer;
    return c;
}

ConnectionUrl fromCore(const rediscore::Url& c)
{
    ConnectionUrl u;
    u.scheme = Scheme(int(c.scheme));
    u.host = qt(c.host);
    u.port = quint16(c.port);   // the core refuses ports outside 1–65535 (0 for unix:// and redis-sentinel://)
    u.socketPath = qt(c.socketPath);
    for (const rediscore::HostPort& hp : c.sentinels)
        u.sentinels.append({qt(hp.host), quint16(hp.port)});
    u.masterName = qt(c.masterName);
    u.db = c.db;
    u.user = qt(c.user);
    u.password = qt(c.password);
    u.sentinelUser = qt(c.sentinelUser);
    u.sentinelPassword = qt(c.sentinelPassword);
    u.timeoutMs = c.timeoutMs;
    u.caFile = qt(c.caFile);
    u.certFile = qt(c.certFile);
    u.keyFile = qt(c.keyFile);
    u.sni = qt(c.sni);
    u.verifyPeer = c.verifyPeer;
    return u;
}

static_assert(int(Scheme::Redis) == int(rediscore::Scheme::Redis) && int(Scheme::RedisTls) == int(rediscore::Scheme::RedisTls)
              && int(Scheme::Unix) == int(rediscore::Scheme::Unix) && int(Scheme::Sentinel) == int(rediscore::Scheme::Sentinel));

} // namespace

ConnectionUrl::ParseResult ConnectionUrl::parse(const QString& input)
{
    const std::string bytes = utf8(input);
    const rediscore::UrlParse parsed = rediscore::parseUrl(bytes);
    ParseResult r;
    if (parsed.ok()) {
        r.url = fromCore(*parsed.url);
        return r;
    }
    r.error = translated(parsed.error);
    r.errorColumn = indexOf(bytes, parsed.error.position);
    std::size_t position = parsed.error.position;
    const std::string shown = rediscore::maskSecrets(bytes, &position);
    r.m_pointedError = qt(shown) + QLatin1Char('\n') + QString(indexOf(shown, position), QLatin1Char(' '))
                       + QStringLiteral("^ ") + r.error;
    return r;
}

QString ConnectionUrl::masked(const QString& text)
{
    return qt(rediscore::maskSecrets(utf8(text)));
}

QString ConnectionUrl::endpointLabel() const
{
    switch (scheme) {
    case Scheme::Unix:
        return db ? QStringLiteral("%1 db %2").arg(socketPath, QString::number(db)) : socketPath;
    case Scheme::Sentinel:
        return QCoreApplication::translate("ConnectionUrl", "%1 via %n sentinel(s)", nullptr, int(sentinels.size()))
            .arg(masterName);
    case Scheme::Redis:
    case Scheme::RedisTls:
        break;
    }
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    // One arg() call: a host with "%1" in it (a zone id like fe80::1%1) must not be taken for a placeholder.
    return db ? QStringLiteral("%1:%2/%3").arg(h, QString::number(port), QString::number(db))
              : QStringLiteral("%1:%2").arg(h, QString::number(port));
}

QString ConnectionUrl::toString(bool withSecret) const
{
    return qt(rediscore::formatUrl(toCore(*this), withSecret));
}

} // namespace cachelens
