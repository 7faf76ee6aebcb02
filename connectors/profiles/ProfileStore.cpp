#include "connectors/profiles/ProfileStore.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>

namespace cachelens {
namespace {

QString tr(const char* s, const char* disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("ProfileStore", s, disambiguation, n);
}

const QString kGroup = QStringLiteral("profiles");
constexpr int kFormatVersion = 1;

} // namespace

QList<ConnectionProfile> ProfileStore::list() const
{
    QSettings settings;
    QList<ConnectionProfile> out;
    const int n = settings.beginReadArray(kGroup);
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        QJsonObject json;
        for (const QString& key : settings.childKeys())
            json.insert(key, QJsonValue::fromVariant(settings.value(key)));
        // QSettings' INI format stores booleans as strings.
        for (const char* key : {"production", "readOnly"})
            json.insert(QLatin1String(key), settings.value(QLatin1String(key)).toBool());
        QString error;
        if (auto p = ConnectionProfile::fromJson(json, &error))
            out.append(*p);
        else
            qWarning("cachelens: ignoring a saved connection profile: %s", qPrintable(error));
    }
    settings.endArray();
    return out;
}

void ProfileStore::writeAll(const QList<ConnectionProfile>& profiles) const
{
    QSettings settings;
    settings.remove(kGroup);
    settings.beginWriteArray(kGroup, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        settings.setArrayIndex(i);
        const QJsonObject json = profiles.at(i).toJson();
        for (auto it = json.begin(); it != json.end(); ++it)
            settings.setValue(it.key(), it.value().toVariant());
    }
    settings.endArray();
    settings.sync();
}

std::optional<ConnectionProfile> ProfileStore::find(const QString& idOrName) const
{
    const auto all = list();
    for (const auto& p : all)
        if (p.id == idOrName)
            return p;
    for (const auto& p : all)
        if (p.name == idOrName)
            return p;
    return std::nullopt;
}

bool ProfileStore::save(const ConnectionProfile& profile, QString* error)
{
    if (const QString problem = ConnectionProfile::nameProblem(profile.name); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    auto all = list();
    for (const auto& p : all) {
        if (p.id != profile.id && p.name.compare(profile.name, Qt::CaseInsensitive) == 0) {
            if (error)
                *error = tr("a connection named '%1' already exists").arg(p.name);
            return false;
        }
    }
    ConnectionProfile stored = profile;
    stored.url.password.clear();   // never at rest in settings
    stored.url.sentinelPassword.clear();
    if (stored.id.isEmpty())
        stored.id = ConnectionProfile::newId();
    bool replaced = false;
    for (auto& p : all) {
        if (p.id == stored.id) {
            p = stored;
            replaced = true;
        }
    }
    if (!replaced)
        all.append(stored);
    writeAll(all);
    return true;
}

bool ProfileStore::remove(const QString& id)
{
    auto all = list();
    const auto removed = all.removeIf([&](const ConnectionProfile& p) { return p.id == id; });
    if (removed == 0)
        return false;
    writeAll(all);
    return true;
}

QString ProfileStore::freeName(const QString& wanted, const QString& exceptId) const
{
    const auto all = list();
    auto taken = [&](const QString& name) {
        return std::any_of(all.begin(), all.end(), [&](const ConnectionProfile& p) {
            return p.id != exceptId && p.name.compare(name, Qt::CaseInsensitive) == 0;
        });
    };
    if (!taken(wanted))
        return wanted;
    for (int i = 2;; ++i) {
        const QString candidate = tr("%1 (%2)").arg(wanted).arg(i);
        if (!taken(candidate))
            return candidate;
    }
}

std::optional<ConnectionProfile> ProfileStore::duplicate(const QString& id)
{
    auto original = find(id);
    if (!original || original->id != id)
        return std::nullopt;
    ConnectionProfile copy = *original;
    copy.id = ConnectionProfile::newId();
    copy.name = freeName(tr("%1 (copy)").arg(original->name), QString());
    save(copy);
    return copy;
}

QByteArray ProfileStore::exportJson(const QStringList& ids) const
{
    QJsonArray array;
    for (const auto& p : list())
        if (ids.isEmpty() || ids.contains(p.id))
            array.append(p.toJson());
    const QJsonObject doc{{QStringLiteral("format"), QStringLiteral("cachelens-profiles")},
                          {QStringLiteral("version"), kFormatVersion},
                          {QStringLiteral("profiles"), array}};
    return QJsonDocument(doc).toJson(QJsonDocument::Indented);
}

ProfileStore::ImportReport ProfileStore::importJson(const QByteArray& json)
{
    ImportReport report;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        report.errors << tr("not JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset);
        return report;
    }
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != QLatin1String("cachelens-profiles")) {
        report.errors << tr("not a CacheLens profiles file (\"format\" is not \"cachelens-profiles\")");
        return report;
    }
    if (root.value(QStringLiteral("version")).toInt() > kFormatVersion) {
        report.errors << tr("made by a newer CacheLens (format version %1; this one reads %2)")
                             .arg(root.value(QStringLiteral("version")).toInt())
                             .arg(kFormatVersion);
        return report;
    }
    const auto existing = list();
    for (const QJsonValue& value : root.value(QStringLiteral("profiles")).toArray()) {
        QString error;
        bool hadSecret = false;
        auto p = ConnectionProfile::fromJson(value.toObject(), &error, &hadSecret);
        if (!p) {
            report.errors << error;
            continue;
        }
        if (hadSecret)
            ++report.secretsDropped;
        const bool replacing = std::any_of(existing.begin(), existing.end(),
                                           [&](const ConnectionProfile& e) { return e.id == p->id; });
        const QString name = freeName(p->name, p->id);
        if (name != p->name) {
            p->name = name;
            ++report.renamed;
        }
        if (!save(*p, &error)) {
            report.errors << error;
            continue;
        }
        ++report.imported;
        if (replacing)
            ++report.replaced;
    }
    return report;
}

QString ProfileStore::ImportReport::summary() const
{
    QString text = tr("imported %n profile(s)", nullptr, imported);
    QStringList notes;
    if (replaced)
        notes << tr("%n replaced", nullptr, replaced);
    if (renamed)
        notes << tr("%n renamed to avoid a clash", nullptr, renamed);
    if (secretsDropped)
        notes << tr("%n password(s) in the file ignored: secrets are kept in the keychain only", nullptr, secretsDropped);
    if (!notes.isEmpty())
        text += QStringLiteral(" (") + notes.join(QStringLiteral(", ")) + QLatin1Char(')');
    if (!errors.isEmpty())
        text += tr("; %n rejected: ", nullptr, int(errors.size())) + errors.join(QStringLiteral("; "));
    return text;
}

} // namespace cachelens
