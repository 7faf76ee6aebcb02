// cachelensctl: the scriptable CacheLens. Every subcommand lives in connectors/ctl; this only forwards argv.
#include <cachelens/version.h>
#include "connectors/ctl/Command.h"
#include <cachelens/redis.h>

#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("CacheLens"));
    QCoreApplication::setApplicationName(QStringLiteral("cachelens"));   // shares settings with the GUI
    QCoreApplication::setApplicationVersion(QLatin1String(cachelens::kVersion));

    cachelens::provider::registerRedisProvider(); // the engine over Redis: `simulate` with a Redis target

    QTextStream out(stdout);
    QTextStream err(stderr);
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly)) {
        err << "cachelensctl: cannot read standard input" << Qt::endl;
        return cachelens::ctl::Failed;
    }
    return cachelens::ctl::run(QCoreApplication::arguments().mid(1), out, err, in);
}
