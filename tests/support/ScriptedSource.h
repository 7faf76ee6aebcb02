#pragma once
// A Source that does nothing by itself: tests hand the panels its samples by emitting statsSample directly, so a
// dashboard test can script counters, resets and gaps exactly.
#include "connectors/Source.h"

namespace cachelens::test {

class ScriptedSource : public Source
{
public:
    explicit ScriptedSource(QString id) : m_id(std::move(id)) {}
    Kind kind() const override { return Kind::Local; }
    QString id() const override { return m_id; }
    QString displayName() const override { return m_id; }
    void open() override {}
    void close() override {}
    void sample() override {}
    void scan(quint64, const QByteArray&, int) override {}
    void cancel(quint64) override {}

private:
    QString m_id;
};

} // namespace cachelens::test
