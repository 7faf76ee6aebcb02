#include "connectors/ctl/InterruptCleanup.h"

#include <QFile>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>

#include <unistd.h>

namespace cachelens::ctl {
namespace {

static_assert(std::atomic<bool>::is_always_lock_free, "the handler stores to it");

constexpr int kMaxPaths = 8;
// Written before the handlers are installed and after they are removed, only read by them.
char g_paths[kMaxPaths][PATH_MAX];
int g_fileCount = 0;
bool g_hasDirectory = false;   // the last path is a directory to rmdir
std::atomic<bool>* g_stop = nullptr;
volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_previous[2];
constexpr int kSignals[2] = {SIGINT, SIGTERM};
bool g_installed = false;

extern "C" void onSignal(int sig)
{
    const int savedErrno = errno;
    for (int i = 0; i < g_fileCount; ++i)
        ::unlink(g_paths[i]);
    if (g_hasDirectory)
        ::rmdir(g_paths[g_fileCount]);
    if (g_signal != 0) {   // asked twice: stop now
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
    g_signal = sig;
    if (g_stop)
        g_stop->store(true, std::memory_order_relaxed);
    errno = savedErrno;
}

bool encode(const QString& path, char* out)
{
    const QByteArray bytes = QFile::encodeName(path);
    if (bytes.isEmpty() || bytes.size() >= PATH_MAX)
        return false;
    std::memcpy(out, bytes.constData(), size_t(bytes.size()) + 1);
    return true;
}

} // namespace

InterruptCleanup::InterruptCleanup(const QStringList& files, const QString& directory, std::atomic<bool>* stop)
{
    if (g_installed)   // one at a time: a nested one would take the other's paths away
        return;
    g_fileCount = 0;
    for (const QString& f : files)
        if (g_fileCount < kMaxPaths - 1 && encode(f, g_paths[g_fileCount]))
            ++g_fileCount;
    g_hasDirectory = !directory.isEmpty() && encode(directory, g_paths[g_fileCount]);
    g_stop = stop;
    g_signal = 0;
    struct sigaction action {};
    action.sa_handler = onSignal;
    action.sa_flags = SA_RESTART;   // the run goes on to wind down: its reads and writes must not fail with EINTR
    sigemptyset(&action.sa_mask);
    for (const int s : kSignals)
        sigaddset(&action.sa_mask, s);   // one handler at a time, whichever signal
    for (int i = 0; i < 2; ++i)
        sigaction(kSignals[i], &action, &g_previous[i]);
    g_installed = m_installed = true;
}

InterruptCleanup::~InterruptCleanup()
{
    if (!m_installed)
        return;
    for (int i = 0; i < 2; ++i)
        sigaction(kSignals[i], &g_previous[i], nullptr);
    g_installed = false;
    g_stop = nullptr;
    g_fileCount = 0;
    g_hasDirectory = false;
}

int InterruptCleanup::signal() const { return int(g_signal); }

} // namespace cachelens::ctl
