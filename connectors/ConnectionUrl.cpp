#include "connectors/ConnectionUrl.h"

#include <QCoreApplication>
#include <QUrl>

#include <algorithm>

namespace cachelens {
namespace {

using Result = ConnectionUrl::ParseResult;
using Scheme = ConnectionUrl::Scheme;

Result fail(int column, const QString& message)
{
    Result r;
    r.error = message;
    r.errorColumn = column;
    return r;
}

QString tr(const char* text) { return QCoreApplication::translate("ConnectionUrl", text); }

// Where each part of a URL is, found once for both parse() and masked(), so that what is masked in an echoed input is
// exactly what parse() reads as a secret, valid URL or not.
struct Layout {
    QString text;                 // the input without surrounding blanks
    int lead = 0;                 // text[i] is input[lead + i]
    int sep = -1;                 // index of "://" in text; -1 when there is none
    std::optional<Scheme> scheme; // unset when unknown or missing
    int restStart = 0;            // index in text of what follows "://" (0 without a scheme)
    QString rest;                 // from restStart up to the query
    int queryStart = -1;          // index in text of the query (after '?'); -1 when there is none
    QString query;
    int at = -1;                  // index in rest of the '@' that ends the userinfo; -1 when there is none
};

std::optional<Scheme> schemeNamed(const QString& name)
{
    if (name == QLatin1String("redis"))
        return Scheme::Redis;
    if (name == QLatin1String("rediss"))
        return Scheme::RedisTls;
    if (name == QLatin1String("unix"))
        return Scheme::Unix;
    if (name == QLatin1String("redis-sentinel"))
        return Scheme::Sentinel;
    return std::nullopt;
}

// The userinfo ends at the last '@' before the query: generated passwords often hold an unencoded '/' (base64), and
// the path after the host (a database number, a master name) has no '@'. A unix socket path may have one
// (/run/redis@6379.sock), so there the userinfo ends where the absolute path starts.
int userinfoEnd(std::optional<Scheme> scheme, const QString& rest)
{
    if (scheme != Scheme::Unix)
        return int(rest.lastIndexOf(QLatin1Char('@')));
    if (rest.startsWith(QLatin1Char('/')))
        return -1;
    if (const int at = int(rest.indexOf(QStringLiteral("@/"))); at >= 0)
        return at;
    return int(rest.lastIndexOf(QLatin1Char('@')));   // the path is missing or relative: refused later
}

// A scheme as RFC 3986 spells one. Anything else before "://" is not a scheme but text that may hold a secret.
bool looksLikeScheme(const QString& text)
{
    if (text.isEmpty() || text.size() > 32 || !text.at(0).isLetter())
        return false;
    return std::all_of(text.begin(), text.end(), [](QChar c) {
        return c.unicode() < 128 && (c.isLetterOrNumber() || c == QLatin1Char('+') || c == QLatin1Char('-') || c == QLatin1Char('.'));
    });
}

Layout layoutOf(const QString& input)
{
    Layout l;
    l.text = input.trimmed();
    while (l.lead < input.size() && input.at(l.lead).isSpace())
        ++l.lead;
    l.sep = int(l.text.indexOf(QStringLiteral("://")));
    if (l.sep >= 0 && !looksLikeScheme(l.text.left(l.sep)))
        l.sep = -1;   // "u:pw@host://…": no scheme at all, and the userinfo starts the text
    if (l.sep >= 0) {
        l.scheme = schemeNamed(l.text.left(l.sep).toLower());
        l.restStart = l.sep + 3;
    }
    l.rest = l.text.mid(l.restStart);
    if (const int q = int(l.rest.indexOf(QLatin1Char('?'))); q >= 0) {
        l.query = l.rest.mid(q + 1);
        l.queryStart = l.restStart + q + 1;
        l.rest = l.rest.left(q);
    }
    l.at = userinfoEnd(l.scheme, l.rest);
    return l;
}

struct Span {
    int start, end;   // [start, end) in the input
};

// The secrets in the input: the userinfo's password (all of a lone userinfo, "redis://secret@host"), and the values of
// sentinel_password= and password= (not an option of ours, but other clients take one) wherever they are.
QList<Span> secretSpans(const Layout& l)
{
    QList<Span> spans;
    if (l.at > 0) {
        const int colon = int(l.rest.left(l.at).indexOf(QLatin1Char(':')));
        const int start = colon < 0 ? 0 : colon + 1;
        if (start < l.at)
            spans.append({l.lead + l.restStart + start, l.lead + l.restStart + l.at});
    }
    if (l.queryStart >= 0) {
        int column = l.lead + l.queryStart;
        for (const QString& item : l.query.split(QLatin1Char('&'))) {
            const int eq = int(item.indexOf(QLatin1Char('=')));
            const QString name = item.left(eq).toLower();
            if (eq >= 0 && eq + 1 < item.size()
                && (name == QLatin1String("sentinel_password") || name == QLatin1String("password")))
                spans.append({column + eq + 1, column + int(item.size())});
            column += int(item.size()) + 1;
        }
    }
    return spans;
}

// `input` with each span (in order, not overlapping) replaced by "***"; `column`, a position in `input`, is moved to
// the same place in the result (the start of the mask when it pointed into a secret).
QString maskSpans(const QString& input, const QList<Span>& spans, int* column)
{
    static const QString mask = QStringLiteral("***");
    QString out;
    int from = 0;
    const int original = column ? *column : 0;
    bool placed = false;
    for (const Span& s : spans) {
        out += QStringView(input).mid(from, s.start - from);
        if (column && !placed && original < s.end) {   // before this secret, or inside it: then at the mask's start
            *column = original < s.start ? int(out.size()) - (s.start - original) : int(out.size());
            placed = true;
        }
        out += mask;
        from = s.end;
    }
    if (column && !placed)
        *column = int(out.size()) + (original - from);
    out += QStringView(input).mid(from);
    return out;
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

// Percent-decodes `text`, found at `column` of the input. A '%' must start a %HH escape and the bytes must be UTF-8:
// anything else is refused with its position rather than guessed (a lone '%' kept as is and bad bytes turned into
// U+FFFD would send the server a password nobody typed). `what` names the part and never quotes it: it may be a secret.
bool decodePercent(const QString& text, int column, const QString& what, QString& out, Result& error)
{
    QByteArray bytes;
    int plainFrom = 0;
    for (int i = 0; i < text.size(); ++i) {
        if (text.at(i) != QLatin1Char('%'))
            continue;
        bytes += QStringView(text).mid(plainFrom, i - plainFrom).toUtf8();
        const int high = i + 1 < text.size() ? hexValue(text.at(i + 1)) : -1;
        const int low = i + 2 < text.size() ? hexValue(text.at(i + 2)) : -1;
        if (high < 0 || low < 0) {
            error = fail(column + i, tr("%1 has a '%' that does not start a %HH escape (write %25 for a '%' itself)").arg(what));
            return false;
        }
        bytes += char(high * 16 + low);
        i += 2;
        plainFrom = i + 1;
    }
    bytes += QStringView(text).mid(plainFrom).toUtf8();
    out = QString::fromUtf8(bytes);
    if (out.toUtf8() != bytes) {   // fromUtf8 replaced invalid bytes with U+FFFD
        error = fail(column + int(qMax(qsizetype(0), text.indexOf(QLatin1Char('%')))),
                     tr("%1 is not UTF-8 once its %HH escapes are decoded").arg(what));
        return false;
    }
    return true;
}

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
        if (c.isSpace() || c == QLatin1Char('/') || c == QLatin1Char('@') || c == QLatin1Char('?') || c == QLatin1Char('[')
            || c == QLatin1Char(']')) {
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

Result parseLayout(const Layout& l)
{
    const QString& text = l.text;
    const int lead = l.lead;
    if (text.isEmpty())
        return fail(0, tr("the URL is empty; expected e.g. redis://localhost:6379"));
    if (l.sep < 0)
        return fail(lead, tr("missing scheme; expected redis://, rediss://, unix:// or redis-sentinel://"));
    const QString scheme = text.left(l.sep).toLower();
    if (!l.scheme)
        return fail(lead, tr("unknown scheme '%1'; expected redis, rediss, unix or redis-sentinel").arg(text.left(l.sep)));

    ConnectionUrl url;
    url.scheme = *l.scheme;
    Result error;
    int pos = l.restStart;
    QString rest = l.rest;
    if (l.at >= 0) {
        const QString userinfo = rest.left(l.at);
        const int column = lead + pos;
        const int colon = userinfo.indexOf(QLatin1Char(':'));
        if (colon < 0) {
            // "redis://secret@host": redis-cli and most clients treat a lone userinfo as the password.
            if (!decodePercent(userinfo, column, tr("the password"), url.password, error))
                return error;
        } else if (!decodePercent(userinfo.left(colon), column, tr("the user name"), url.user, error)
                   || !decodePercent(userinfo.mid(colon + 1), column + colon + 1, tr("the password"), url.password, error)) {
            return error;
        }
        pos += l.at + 1;
        rest = rest.mid(l.at + 1);
    }
    const int restColumn = lead + pos;

    switch (url.scheme) {
    case Scheme::Unix: {
        if (!rest.startsWith(QLatin1Char('/')))
            return fail(restColumn, tr("a unix socket URL needs an absolute path: unix:///path/to/redis.sock"));
        if (rest.size() == 1)
            return fail(restColumn, tr("the socket path is missing"));
        if (rest.back().isSpace())   // the URL is trimmed when read back: the path would lose it
            return fail(restColumn + int(rest.size()) - 1, tr("the socket path '%1' ends in a space").arg(rest));
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
            return fail(lead + int(text.size()), tr("the master name is missing: redis-sentinel://host:26379/mymaster"));
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
        if (path.value(0).isEmpty())
            return fail(restColumn + s + 1, tr("the master name is missing"));
        if (!decodePercent(path.at(0), restColumn + s + 1, tr("the master name"), url.masterName, error))
            return error;
        if (path.size() > 1 && !path.at(1).isEmpty()
            && !parseDb(path.at(1), restColumn + s + 2 + int(path.at(0).size()), url.db, error))
            return error;
        url.host.clear();
        url.port = 0;
        break;
    }
    }

    // Query options
    const int queryColumn = lead + l.queryStart;
    if (!l.query.isEmpty()) {
        int column = queryColumn;
        for (const QString& item : l.query.split(QLatin1Char('&'))) {
            const int eq = item.indexOf(QLatin1Char('='));
            const QString name = (eq < 0 ? item : item.left(eq)).toLower();
            const int valueColumn = column + (eq < 0 ? int(item.size()) : eq + 1);
            const bool tlsOption = name == QLatin1String("ca") || name == QLatin1String("cert") || name == QLatin1String("key")
                                   || name == QLatin1String("sni") || name == QLatin1String("verify");
            const bool sentinelOption = name == QLatin1String("sentinel_password") || name == QLatin1String("sentinel_user")
                                        || name == QLatin1String("sentinel_username");
            if (name != QLatin1String("db") && name != QLatin1String("timeout") && !(url.scheme == Scheme::RedisTls && tlsOption)
                && !(url.scheme == Scheme::Sentinel && sentinelOption))
                return fail(column, tr("unknown option '%1' for %2://").arg(name, scheme));
            QString value;
            if (eq >= 0 && !decodePercent(item.mid(eq + 1), valueColumn, tr("the value of %1").arg(name), value, error))
                return error;
            if (name == QLatin1String("db")) {
                if (!parseDb(value, valueColumn, url.db, error))
                    return error;
            } else if (name == QLatin1String("timeout")) {
                bool ok = false;
                url.timeoutMs = value.toInt(&ok);
                if (!ok || url.timeoutMs <= 0)
                    return fail(valueColumn, tr("timeout '%1' must be a positive number of milliseconds").arg(value));
            } else if (tlsOption && name != QLatin1String("verify")) {
                if (value.isEmpty())
                    return fail(valueColumn, tr("option '%1' needs a value").arg(name));
                (name == QLatin1String("ca") ? url.caFile : name == QLatin1String("cert") ? url.certFile
                 : name == QLatin1String("key") ? url.keyFile : url.sni) = value;
            } else if (tlsOption) {   // verify
                const QString v = value.toLower();
                if (v == QLatin1String("yes") || v == QLatin1String("true") || v == QLatin1String("1"))
                    url.verifyPeer = true;
                else if (v == QLatin1String("no") || v == QLatin1String("false") || v == QLatin1String("0"))
                    url.verifyPeer = false;
                else
                    return fail(valueColumn, tr("verify must be yes or no, not '%1'").arg(value));
            } else {   // a sentinel option
                if (value.isEmpty())
                    return fail(valueColumn, tr("option '%1' needs a value").arg(name));
                (name == QLatin1String("sentinel_password") ? url.sentinelPassword : url.sentinelUser) = value;
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

// Query values as parse() reads them back: percent-encoded where they would end the value or start an escape, paths
// otherwise left readable.
QString encodeValue(const QString& value)
{
    return QString::fromUtf8(QUrl::toPercentEncoding(value, "/:@!$'()*+,;[]"));
}

} // namespace

ConnectionUrl::ParseResult ConnectionUrl::parse(const QString& input)
{
    const Layout layout = layoutOf(input);
    Result r = parseLayout(layout);
    if (!r.ok()) {
        int column = qBound(0, r.errorColumn, int(input.size()));
        const QString shown = maskSpans(input, secretSpans(layout), &column);
        r.m_pointedError = shown + QLatin1Char('\n') + QString(column, QLatin1Char(' ')) + QStringLiteral("^ ") + r.error;
    }
    return r;
}

QString ConnectionUrl::masked(const QString& text)
{
    return maskSpans(text, secretSpans(layoutOf(text)), nullptr);
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
            hosts << QStringLiteral("%1:%2").arg(hp.host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(hp.host) : hp.host,
                                                 QString::number(hp.port));
        out += hosts.join(QLatin1Char(',')) + QLatin1Char('/') + QString::fromUtf8(QUrl::toPercentEncoding(masterName));
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
        if (!caFile.isEmpty()) query << QStringLiteral("ca=") + encodeValue(caFile);
        if (!certFile.isEmpty()) query << QStringLiteral("cert=") + encodeValue(certFile);
        if (!keyFile.isEmpty()) query << QStringLiteral("key=") + encodeValue(keyFile);
        if (!sni.isEmpty()) query << QStringLiteral("sni=") + encodeValue(sni);
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
