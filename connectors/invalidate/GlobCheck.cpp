#include "connectors/invalidate/GlobCheck.h"

#include <cachelens/glob.h>

#include <QCoreApplication>

namespace cachelens {
namespace {
QString tr(const char* text) { return QCoreApplication::translate("cachelens::GlobCheck", text); }
} // namespace

QString globProblem(const QByteArray& glob)
{
    if (glob.isEmpty())
        return tr("the pattern is empty; use * for every key");
    const qsizetype n = glob.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = glob.at(i);
        if (c == '\\') {
            if (i + 1 == n)
                return tr("the pattern ends with a lone backslash (position %1); write \\\\ for a literal backslash").arg(i + 1);
            ++i;
            continue;
        }
        if (c != '[')
            continue;
        const qsizetype open = i;
        ++i;
        const bool negated = i < n && glob.at(i) == '^';
        if (negated)
            ++i;
        const qsizetype first = i;
        bool closed = false;
        for (; i < n; ++i) {
            if (glob.at(i) == '\\') {
                ++i;
                continue;
            }
            if (glob.at(i) == ']' && i > first) {
                closed = true;
                break;
            }
            if (glob.at(i) == ']' && i == first) {   // "[]" or "[^]"
                closed = true;
                break;
            }
            // "[a-]": Redis reads ']' as the end of the range a-], and the class never closes.
            if (glob.at(i) == '-' && i + 1 < n && glob.at(i + 1) == ']' && i > first) {
                const QString set = QString::fromUtf8(glob.mid(first, i - first));
                return tr("\"%1\" at position %2 is read by Redis as a range up to ']' and the class never closes; "
                          "write [%3\\-] or [-%3] for the set")
                    .arg(QString::fromUtf8(glob.mid(open, i + 2 - open)))
                    .arg(open + 1)
                    .arg(set);
            }
        }
        if (!closed)
            return tr("the class opened with [ at position %1 is never closed; add ] or write \\[ for a literal bracket").arg(open + 1);
        if (i == first && !negated)   // "[^]" is valid: any one byte
            return tr("the class at position %1 is empty (\"%2\") and matches nothing").arg(open + 1).arg(QString::fromUtf8(glob.mid(open, i + 1 - open)));
    }
    return {};
}

bool globMatchesAll(const QByteArray& glob)
{
    return engine::globMatchesEverything(std::string_view(glob.constData(), size_t(glob.size())));
}

} // namespace cachelens
