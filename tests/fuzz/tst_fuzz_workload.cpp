// The workload JSON reader (connectors/sim/WorkloadJson) on mutated workloads, byte by byte (broken JSON) and value by
// value (JSON of the right shape with wrong types, extreme numbers, unknown and missing keys, nested mixes): never
// crashes; a refusal is a sentence; an accepted workload writes out to JSON that reads back as the same workload, and
// a small one is accepted or refused with a reason by the simulator too.
#include "Fuzz.h"

#include "connectors/sim/WorkloadJson.h"
#include <cachelens/sim/backing.h>
#include <cachelens/sim/simulator.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <stdexcept>

using namespace cachelens;
using namespace cachelens::test::fuzz;

namespace {

QList<QByteArray> corpus()
{
    QList<QByteArray> out;
    for (const sim::WorkloadPreset& p : sim::workloadPresets())
        out << p.json;
    out << QByteArray(R"({"keys": 1000, "distribution": {"type": "hotspot", "hotKeys": 0.1, "hotTraffic": 0.9}, "requests": 5000,
                         "threads": 2, "singleFlight": false, "writeMode": "update", "backing": {"type": "memory", "latencyMs": 0}})")
        << QByteArray(R"({"name": "scan", "keys": 500, "distribution": {"type": "scan", "length": 100}, "requests": 100,
                         "cache": {"target": "local", "policy": "sieve", "maxEntries": 10, "maxBytes": 4096}, "seed": 7})")
        << QByteArray(R"({"keys": 10, "distribution": {"type": "trace", "path": "/nonexistent/t.bin", "format": "u64le"}})")
        << QByteArray(R"({"distribution": {"type": "mixed", "parts": [{"weight": 1, "type": "mixed", "parts": [{"weight": 2, "type": "uniform"}]}]}})")
        << QByteArray("{}");
    return out;
}

const QList<QByteArray> kTokens{"{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "false",
                                "\"keys\"", "\"type\"", "\"parts\"", "\"mixed\"", "\"zipf\"", "\"weight\"", "1e400",
                                "-0", "0.5", "\"\xff\"", "\n"};

// A random JSON value, mostly of the kinds the reader meets.
QJsonValue randomValue(Rng& rng, int depth = 0)
{
    switch (rng.below(depth > 2 ? 6 : 8)) {
    case 0: return QJsonValue();
    case 1: return rng.chance(2);
    case 2: {
        static const double numbers[] = {0, -1, 1, 0.5, 1e15, 1e15 + 1, 9007199254740992.0, 1e300, -1e300, 1e-300, 256, 257,
                                         512 << 20, (512 << 20) + 1.0, 4294967296.0, 0.1, 60000.5};
        return numbers[rng.below(std::size(numbers))];
    }
    case 3: return double(std::int64_t(rng.next() >> rng.below(64)));
    case 4: {
        static const char* const strings[] = {"", "zipf", "uniform", "hotspot", "scan", "mixed", "trace", "lru", "wtinylfu",
                                              "sqlite", "memory", "invalidate", "update", "ttl", "local", "redis://127.0.0.1:1",
                                              "u64le", "text", "\xc3\xa9"};
        return QString::fromUtf8(strings[rng.below(std::size(strings))]);
    }
    case 5: return QString::fromUtf8(QByteArray(qsizetype(rng.below(8)), rng.byte()));
    case 6: {
        QJsonArray a;
        for (int n = int(rng.below(4)); n > 0; --n)
            a.append(randomValue(rng, depth + 1));
        return a;
    }
    default: {
        QJsonObject o;
        static const char* const keys[] = {"type", "weight", "keys", "ttlSeconds", "s", "hotKeys", "hotTraffic", "length",
                                           "path", "format", "parts", "min", "max", "x"};
        for (int n = int(rng.below(4)); n > 0; --n)
            o.insert(QLatin1String(keys[rng.below(std::size(keys))]), randomValue(rng, depth + 1));
        return o;
    }
    }
}

// Changes one value somewhere in the object (descending into objects and arrays), adds or removes a key.
void mutateJson(QJsonObject& o, Rng& rng, int depth = 0)
{
    const QStringList keys = o.keys();
    if (keys.isEmpty() || rng.chance(6)) {
        static const char* const names[] = {"keys", "requests", "readRatio", "rate", "ttlSeconds", "valueSize", "cache",
                                            "backing", "distribution", "threads", "seed", "name", "writeMode", "singleFlight",
                                            "bogus"};
        o.insert(QLatin1String(names[rng.below(std::size(names))]), randomValue(rng));
        return;
    }
    const QString key = keys.at(qsizetype(rng.below(std::uint64_t(keys.size()))));
    if (rng.chance(8)) {
        o.remove(key);
        return;
    }
    QJsonValue v = o.value(key);
    if (v.isObject() && depth < 6 && !rng.chance(4)) {
        QJsonObject inner = v.toObject();
        mutateJson(inner, rng, depth + 1);
        o.insert(key, inner);
    } else if (v.isArray() && !v.toArray().isEmpty() && depth < 6 && !rng.chance(4)) {
        QJsonArray a = v.toArray();
        const qsizetype i = qsizetype(rng.below(std::uint64_t(a.size())));
        if (a.at(i).isObject()) {
            QJsonObject inner = a.at(i).toObject();
            mutateJson(inner, rng, depth + 1);
            a.replace(i, inner);
        } else {
            a.replace(i, randomValue(rng));
        }
        if (rng.chance(4))
            a.append(a.at(0));
        o.insert(key, a);
    } else {
        o.insert(key, randomValue(rng));
    }
}

QByteArray compact(const QJsonObject& o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

struct Counts {
    int accepted = 0, simulated = 0;
};

void check(const QByteArray& json, Counts& counts)
{
    QString error;
    const auto spec = sim::parseWorkload(json, error);
    if (!spec) {
        QVERIFY2(isSentence(error), qPrintable(error));
        return;
    }
    ++counts.accepted;
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QJsonObject written = sim::workloadToJson(*spec);
    const auto again = sim::parseWorkload(compact(written), error);
    QVERIFY2(again, qPrintable(QString::fromUtf8(compact(written)) + QStringLiteral(": ") + error));
    QCOMPARE(compact(sim::workloadToJson(*again)), compact(written));
    // A small workload without files: the simulator takes it or says why (never another exception, never a crash).
    const std::uint64_t keys = engine::sim::workloadKeys(*spec);
    if (keys > 0 && keys <= 5000 && spec->distribution.kind != engine::sim::DistributionKind::Trace) {
        try {
            engine::sim::MemoryBacking backing(1, spec->valueMin, spec->valueMax);
            const engine::sim::Simulator simulator(*spec, backing);
            QCOMPARE(simulator.keys(), keys);
            ++counts.simulated;
        } catch (const std::invalid_argument& e) {
            QVERIFY2(isSentence(QString::fromUtf8(e.what())), e.what());
        }
    }
}

} // namespace

class FuzzWorkload : public QObject
{
    Q_OBJECT
private slots:
    void mutatedWorkloadsAreReadOrRefusedWithASentence()
    {
        const QList<QByteArray> seeds = corpus();
        const Mutator bytes(seeds, kTokens, 4096);
        QList<QJsonObject> objects;
        for (const QByteArray& s : seeds)
            objects << QJsonDocument::fromJson(s).object();
        Counts counts;
        run("workload", [&](Rng& rng, QByteArray& input) {
            if (rng.chance(2)) {
                input = bytes.next(rng);
            } else {
                QJsonObject o = rng.pick(objects);
                for (int n = rng.between(1, 4); n > 0; --n)
                    mutateJson(o, rng);
                input = compact(o);
            }
            check(input, counts);
        });
        qInfo("%d accepted, %d of them taken by the simulator", counts.accepted, counts.simulated);
    }
};

QTEST_APPLESS_MAIN(FuzzWorkload)
#include "tst_fuzz_workload.moc"
