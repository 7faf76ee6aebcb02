#include "connectors/profiles/ConnectionProfile.h"

#include <QCoreApplication>
#include <QUuid>

namespace cachelens {

QString ConnectionProfile::newId() { return QUuid::createUuid().toString(QUuid::WithoutBraces); }

QString ConnectionProfile::nameProblem(const QString& name)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("ConnectionProfile", s); };
    if (name.trimmed().isEmpty())
        return tr("a connection needs a name");
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        const char16_t u = c.unicode();
        const bool bidi = (u >= 0x202A && u <= 0x202E) || (u >= 0x2066 && u <= 0x2069);
        if (c.category() == QChar::Other_Control || c.category() == QChar::Separator_Line
            || c.category() == QChar::Separator_Paragraph || bidi)
            return tr("a connection name cannot contain control characters (U+%1 at character %2)")
                .arg(u, 4, 16, QLatin1Char('0'))
                .arg(i + 1);
    }
    return {};
}

QString ConnectionProfile::storedUrl() const
{
    ConnectionUrl withoutSecret = url;
    withoutSecret.password.clear();
    withoutSecret.sentinelPassword.clear();
    return withoutSecret.toString(true);
}

QJsonObject ConnectionProfile::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("name"), name},
                     {QStringLiteral("url"), storedUrl()},
                     {QStringLiteral("production"), production},
                     {QStringLiteral("readOnly"), readOnly},
                     {QStringLiteral("separator"), separator}};
    if (keychainSecrets)
        json.insert(QStringLiteral("secrets"), *keychainSecrets ? QStringLiteral("keychain") : QStringLiteral("none"));
    return json;
}

std::optional<ConnectionProfile> ConnectionProfile::fromJson(const QJsonObject& json, QString* error, bool* hadSecret)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("ConnectionProfile", s); };
    auto fail = [&](const QString& message) -> std::optional<ConnectionProfile> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (hadSecret)
        *hadSecret = false;
    ConnectionProfile p;
    p.name = json.value(QStringLiteral("name")).toString().trimmed();
    if (p.name.isEmpty())
        return fail(tr("profile has no name"));
    const auto parsed = ConnectionUrl::parse(json.value(QStringLiteral("url")).toString());
    if (!parsed.ok())
        return fail(tr("profile '%1': bad url: %2").arg(p.name, parsed.error));
    p.url = *parsed.url;
    if (!p.url.password.isEmpty() || !p.url.sentinelPassword.isEmpty()) {
        p.url.password.clear();
        p.url.sentinelPassword.clear();
        if (hadSecret)
            *hadSecret = true;
    }
    p.id = json.value(QStringLiteral("id")).toString();
    if (p.id.isEmpty() || QUuid::fromString(p.id).isNull())
        p.id = newId();
    p.production = json.value(QStringLiteral("production")).toBool(false);
    p.readOnly = json.value(QStringLiteral("readOnly")).toBool(false);
    p.separator = json.value(QStringLiteral("separator")).toString(QStringLiteral(":"));
    if (p.separator.isEmpty())
        return fail(tr("profile '%1': the namespace separator cannot be empty").arg(p.name));
    const QString secrets = json.value(QStringLiteral("secrets")).toString();
    if (secrets == QLatin1String("keychain"))
        p.keychainSecrets = true;
    else if (secrets == QLatin1String("none"))
        p.keychainSecrets = false;
    return p;
}

} // namespace cachelens
