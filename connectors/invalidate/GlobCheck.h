#pragma once
// Live validation of a Redis glob before anything is counted or deleted. Redis itself accepts any bytes as a
// pattern, so "invalid" here means a pattern whose meaning is almost surely not what the user typed (the edge
// cases engine/glob.h documents): an unterminated class, a trailing backslash, an empty class, "[a-]".
#include <QByteArray>
#include <QString>

namespace cachelens {

// Empty when the pattern is fine; otherwise one sentence saying what is wrong and how to write it.
QString globProblem(const QByteArray& glob);

// True when the glob selects every key ("*", "**"): the panel asks for extra confirmation.
bool globMatchesAll(const QByteArray& glob);

} // namespace cachelens
