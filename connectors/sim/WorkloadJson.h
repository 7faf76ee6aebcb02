#pragma once
// The workload spec as JSON (issue #10's shape), the results as JSON (cachelensctl simulate --json), and the
// presets the Simulate panel offers.
//
// {"keys": 100000, "distribution": {"type": "zipf", "s": 0.9}, "requests": 2000000, "readRatio": 0.95,
//  "rate": 5000, "valueSize": {"min": 100, "max": 1000}, "ttlSeconds": 30,
//  "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 10000, "maxBytes": 0},
//  "backing": {"type": "sqlite", "latencyMs": 2}, "seed": 42}
// plus optional "name", "writeMode" (invalidate|update|ttl), "singleFlight", "threads". Distributions:
// uniform; zipf {s}; hotspot {hotKeys, hotTraffic}; scan {length}; trace {path, format};
// mixed {parts: [{weight, keys?, ttlSeconds?, …a distribution}]}. Unknown keys are refused (they are typos).
#include <cachelens/sim/simulator.h>
#include <cachelens/sim/workload.h>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace cachelens::sim {

std::optional<engine::sim::WorkloadSpec> parseWorkload(const QByteArray& json, QString& error);
std::optional<engine::sim::WorkloadSpec> parseWorkload(const QJsonObject& json, QString& error);
QJsonObject workloadToJson(const engine::sim::WorkloadSpec& spec);

// The keys cachelensctl simulate --json prints: requests hits misses hitRate backingQueries dbLoadReduction
// staleReads stampedes evictions expirations latencyUs.{p50,p95,p99}, and more.
QJsonObject resultsToJson(const engine::sim::SimResults& r);

struct WorkloadPreset {
    QString name;
    QString description;
    QByteArray json;  // indented, ready for the editor
};
QList<WorkloadPreset> workloadPresets();

} // namespace cachelens::sim
