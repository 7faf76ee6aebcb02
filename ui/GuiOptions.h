#pragma once
// The GUI's command line. Parsed here (not in app/) so tests reach every option and every error message.
#include "connectors/ConnectionUrl.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace cachelens::ui {

struct GuiOptions {
    std::optional<ConnectionUrl> connect;   // --connect URL
    QString panel;                          // --panel NAME, lower-case id; empty = last used
    QString screenshotFile;                 // --screenshot FILE
    int screenshotAfterMs = 1500;           // --screenshot-after MS
    bool demo = false;                      // --demo: run the demo workload on the local engine
    bool reportStalls = false;              // --report-stalls: load the Keys tree, print keys=N max_stall_ms=M, exit
    QByteArray key;                         // --key KEY (escaped as cachelensctl prints keys): open it in Keys
};

struct GuiOptionsParse {
    GuiOptions options;
    enum class Action { Run, ShowText, Fail } action = Action::Run;
    QString text;                           // help/version text, or the one-line error
    int exitCode = 0;                       // for ShowText / Fail
};

// `arguments` includes the program name (as QCoreApplication::arguments()).
GuiOptionsParse parseGuiOptions(const QStringList& arguments, const QStringList& panelIds);

} // namespace cachelens::ui
