#pragma once
// ChildProcess: starts fixture processes (redis-server, redis-cli, openssl) with posix_spawn instead of QProcess.
//
// Why: Qt 6.4's QProcess starts children with vfork-like semantics (vforkfd); under ThreadSanitizer the child's
// fork bookkeeping then lands in the parent's memory, and the test process either dies at its next
// pthread_create ("starting new threads after multi-threaded fork is not supported") or, with die_after_fork=0,
// silently stops checking its main thread. posix_spawn keeps the parent fully instrumented.
#include <QByteArray>
#include <QString>
#include <QStringList>

#include <sys/types.h>

namespace cachelens::test {

class ChildProcess
{
public:
    ChildProcess() = default;
    ~ChildProcess();   // kills and reaps a child still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // Starts `program` (looked up in PATH) with stdin, stdout and stderr on /dev/null.
    bool start(const QString& program, const QStringList& args);
    bool isRunning();
    void terminate();                  // SIGTERM
    void kill();                       // SIGKILL
    bool waitForFinished(int timeoutMs);
    int exitCode() const { return m_exitCode; }   // -1 while running or when killed by a signal
    QString errorString() const { return m_error; }

    struct Result {
        bool finished = false;         // false: could not start, or timed out (then killed)
        int exitCode = -1;
        QByteArray output;             // stdout and stderr, merged
        QString error;
    };
    // Runs to completion, feeding `input` on stdin and collecting the output.
    static Result run(const QString& program, const QStringList& args, const QByteArray& input = {}, int timeoutMs = 30000,
                      const QString& workingDirectory = {});

private:
    void reap(int status);
    pid_t m_pid = -1;
    int m_exitCode = -1;
    QString m_error;
};

} // namespace cachelens::test
