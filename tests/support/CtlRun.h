#pragma once
// Runs a cachelensctl subcommand in-process (ctl::run, as app/cachelensctl does) with in-memory streams and no
// standard input, and keeps its exit code and both outputs for assertions.
#include "connectors/ctl/Command.h"

#include <QBuffer>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace cachelens::test {

struct CtlRun {
    int code = -1;
    QString out;
    QString err;
};

// `input`: what standard input holds (e.g. a password for --password-stdin).
inline CtlRun runCtl(const QStringList& args, const QByteArray& input = {})
{
    CtlRun r;
    QTextStream out(&r.out);
    QTextStream err(&r.err);
    QByteArray bytes = input;
    QBuffer in(&bytes);
    in.open(QIODevice::ReadOnly);
    r.code = ctl::run(args, out, err, in);
    return r;
}

} // namespace cachelens::test
