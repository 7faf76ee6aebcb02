#include "ChildProcess.h"

#include <QDeadlineTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace cachelens::test {
namespace {

struct Argv {
    std::vector<QByteArray> storage;
    std::vector<char*> pointers;
    Argv(const QString& program, const QStringList& args)
    {
        storage.push_back(program.toLocal8Bit());
        for (const QString& a : args)
            storage.push_back(a.toLocal8Bit());
        for (QByteArray& s : storage)
            pointers.push_back(s.data());
        pointers.push_back(nullptr);
    }
};

} // namespace

ChildProcess::~ChildProcess()
{
    if (isRunning()) {
        kill();
        waitForFinished(5000);
    }
}

bool ChildProcess::start(const QString& program, const QStringList& args)
{
    // A long-running fixture (redis-server, sentinel) must not outlive the test: a test that a sanitizer stops with
    // halt_on_error never runs its destructors. util-linux's setpriv (essential in Debian) sets the parent-death
    // signal and then execs the program, so the server keeps its pid and is killed when the test process dies.
    // The signal follows the thread that spawned it: fixtures are started from the test's main thread.
    static const bool haveSetpriv = access("/usr/bin/setpriv", X_OK) == 0;
    Argv argv = haveSetpriv ? Argv(QStringLiteral("/usr/bin/setpriv"),
                                   QStringList{QStringLiteral("--pdeathsig"), QStringLiteral("KILL"), QStringLiteral("--"), program} + args)
                            : Argv(program, args);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int fd = 0; fd <= 2; ++fd)
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    const int rc = posix_spawnp(&m_pid, argv.pointers[0], &actions, nullptr, argv.pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        m_pid = -1;
        m_error = QStringLiteral("cannot start %1: %2").arg(program, QString::fromLocal8Bit(std::strerror(rc)));
        return false;
    }
    m_exitCode = -1;
    return true;
}

void ChildProcess::reap(int status)
{
    m_exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    m_pid = -1;
}

bool ChildProcess::isRunning()
{
    if (m_pid <= 0)
        return false;
    int status = 0;
    const pid_t r = waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid || (r < 0 && errno == ECHILD)) {
        reap(status);
        return false;
    }
    return true;
}

void ChildProcess::terminate()
{
    if (m_pid > 0)
        ::kill(m_pid, SIGTERM);
}

void ChildProcess::kill()
{
    if (m_pid > 0)
        ::kill(m_pid, SIGKILL);
}

bool ChildProcess::waitForFinished(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (isRunning()) {
        if (deadline.hasExpired())
            return false;
        usleep(5000);
    }
    return true;
}

ChildProcess::Result ChildProcess::run(const QString& program, const QStringList& args, const QByteArray& input,
                                       int timeoutMs, const QString& workingDirectory)
{
    Result result;
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        result.error = QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return result;
    }
    Argv argv(program, args);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    const QByteArray dir = workingDirectory.toLocal8Bit();
    if (!dir.isEmpty())
        posix_spawn_file_actions_addchdir_np(&actions, dir.constData());
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv.pointers[0], &actions, nullptr, argv.pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        close(in[1]);
        close(out[0]);
        result.error = QStringLiteral("cannot start %1: %2").arg(program, QString::fromLocal8Bit(std::strerror(rc)));
        return result;
    }
    // Feed stdin and drain stdout together, so neither side blocks on a full pipe.
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    qsizetype written = 0;
    if (input.isEmpty()) {
        close(in[1]);
        in[1] = -1;
    }
    const QDeadlineTimer deadline(timeoutMs);
    bool eof = false;
    while (!eof && !deadline.hasExpired()) {
        pollfd fds[2] = {{out[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
        if (poll(fds, in[1] >= 0 ? 2 : 1, 50) < 0 && errno != EINTR)
            break;
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            char buffer[65536];
            const ssize_t n = read(out[0], buffer, sizeof buffer);
            if (n > 0)
                result.output.append(buffer, n);
            else if (n == 0)
                eof = true;
        }
        if (in[1] >= 0 && (fds[1].revents & (POLLOUT | POLLERR))) {
            const ssize_t n = write(in[1], input.constData() + written, size_t(input.size() - written));
            if (n > 0)
                written += n;
            if (n < 0 || written == input.size()) {
                close(in[1]);
                in[1] = -1;
            }
        }
    }
    if (in[1] >= 0)
        close(in[1]);
    close(out[0]);
    int status = 0;
    if (!eof) {
        ::kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        result.error = QStringLiteral("%1 did not finish within %2 ms").arg(program).arg(timeoutMs);
        return result;
    }
    waitpid(pid, &status, 0);
    result.finished = true;
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

} // namespace cachelens::test
