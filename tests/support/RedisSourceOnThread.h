#pragma once
// A RedisSource on its own worker thread, the way the GUI runs one, for GUI tests: created and moved to the thread
// here, deleted there when the thread finishes. open() waits (QSignalSpy + qWaitFor) until it is Ready.
// Connector tests that must be TSan-clean use SourceOnWorker instead (see SourceOnWorker.h).
#include "connectors/ConnectionUrl.h"
#include "connectors/RedisSource.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

namespace cachelens::test {

struct RedisSourceOnThread {
    QThread thread;
    RedisSource* source = nullptr;

    RedisSourceOnThread(const QString& id, const QString& url, const RedisSource::Options& options = {})
    {
        source = new RedisSource(id, id, *ConnectionUrl::parse(url).url, options);
        source->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, source, &QObject::deleteLater);
        thread.start();
    }
    ~RedisSourceOnThread()
    {
        thread.quit();
        thread.wait();
    }
    RedisSourceOnThread(const RedisSourceOnThread&) = delete;
    RedisSourceOnThread& operator=(const RedisSourceOnThread&) = delete;

    // Fast reconnects, for tests that restart or kill the server.
    static RedisSource::Options quickReconnect()
    {
        RedisSource::Options options;
        options.client.reconnectInitialMs = 50;
        options.client.reconnectMaxMs = 200;
        return options;
    }

    bool open()
    {
        QSignalSpy states(source, &Source::stateChanged);
        QMetaObject::invokeMethod(source, &Source::open, Qt::QueuedConnection);
        return QTest::qWaitFor([&] {
            return !states.isEmpty() && states.last().at(0).value<ConnectionState>() == ConnectionState::Ready;
        }, 10000);
    }
};

} // namespace cachelens::test
