#pragma once
// Shared plumbing of the cachelensctl subcommands that talk to Redis (ping, stats, scan): parse the URL argument,
// connect with the asynchronous client (one attempt, no reconnect loop: a script wants an answer), and wait on a
// local event loop. Blocking is fine here: cachelensctl is a command-line tool, not the GUI.
#include "connectors/ctl/Command.h"
#include "connectors/profiles/ConnectionProfile.h"
#include "connectors/redis/RedisClient.h"

#include <QEventLoop>

#include <memory>
#include <optional>

namespace cachelens::ctl {

// The keychain's password for a saved connection (waits on a local event loop); nullopt when there is none,
// with `problem` set when the keychain could not be asked.
std::optional<QString> readSecret(const QString& profileId, QString* problem);
// A saved connection's URL with its passwords from the keychain (the master's, and for redis-sentinel:// the
// sentinels'); `problem` set when the keychain could not be asked.
ConnectionUrl urlWithSecrets(const ConnectionProfile& profile, QString* problem);

// Connects to `urlText`: a URL, or the name of a saved connection (cachelensctl connections list). On failure prints one line to ctx.err and sets `exitCode` (Misuse for a bad URL, Failed for
// a connection or authentication failure) and returns null.
std::unique_ptr<redis::RedisClient> connectRedis(Context& ctx, const QString& commandName, const QString& urlText,
                                                 int& exitCode);

// Sends one command and runs a local event loop until its reply arrives.
redis::RedisReply callRedis(redis::RedisClient& client, const QList<QByteArray>& args);

// "1234567" and "5.2 MB" for human output (C locale, no grouping: scripts parse it).
QString formatCount(qint64 n);
QString formatBytes(qint64 bytes);

} // namespace cachelens::ctl
