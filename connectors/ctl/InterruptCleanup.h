#pragma once
// InterruptCleanup: while one is alive, SIGINT and SIGTERM remove the command's working files at once and ask the
// command to stop (the std::atomic<bool> it polls as its cancel flag), so cachelensctl leaves nothing behind when it
// is interrupted or terminated, and still ends the way a cancel does (Redis keys cleaned up, a sentence, exit 1). A
// second signal ends the process at once, by the signal's default action.
//
// A signal handler may only do async-signal-safe things, so the handler does nothing else: unlink() and rmdir() of
// paths encoded before the handlers were installed, a store to a lock-free atomic, and signal() + raise() for the
// second signal. One at a time per process (the handlers are process-wide); the destructor puts back the previous
// handlers.
#include <QString>
#include <QStringList>

#include <atomic>

namespace cachelens::ctl {

class InterruptCleanup
{
public:
    // files: removed on a signal (they need not exist yet). directory: removed after them when it is then empty (a
    // temporary working directory); may be empty.
    InterruptCleanup(const QStringList& files, const QString& directory, std::atomic<bool>* stop);
    ~InterruptCleanup();
    InterruptCleanup(const InterruptCleanup&) = delete;
    InterruptCleanup& operator=(const InterruptCleanup&) = delete;

    // The signal that came (SIGINT, SIGTERM), 0 while none did.
    int signal() const;

private:
    bool m_installed = false;
};

} // namespace cachelens::ctl
