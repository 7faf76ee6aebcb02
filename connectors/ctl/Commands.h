#pragma once
// One factory per subcommand; each is defined in its own file and listed in Commands.cpp.
#include "connectors/ctl/Command.h"

namespace cachelens::ctl {
Command helpCommand();
Command versionCommand();
Command urlCommand();
Command connectionsCommand();
Command matchCommand();
Command pingCommand();
Command statsCommand();
Command scanCommand();
Command ttlCommand();
Command simulateCommand();
Command replayCommand();
Command mrcCommand();
Command recordCommand();
Command purgeCommand();
Command restoreCommand();

// `cachelensctl SUB --help`: usage, summary and every argument and option with its description.
void printHelp(QTextStream& out, const Command& command);
} // namespace cachelens::ctl
