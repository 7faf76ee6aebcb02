#pragma once
// ReadCostDialog: the question asked before the Keys panel reads the details of many keys (every key of a namespace,
// every loaded key for big keys or a type filter): what that costs the server — keys, commands, and the keyspace
// lookups its hit rate will count (Source::detailCost) — with a button to go ahead. Opened without a modal loop
// (open()); accepted() means go.
#include "connectors/SourceTypes.h"

#include <QDialog>

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class ReadCostDialog : public QDialog
{
    Q_OBJECT
public:
    // "<question> It reads 104,000 keys: 312,000 commands, about 208,000 keyspace hits on the server, …"
    // The cost per key is the source's detailCost(), or `cost` for another request (keyStats's).
    ReadCostDialog(const QString& question, quint64 keys, const Source* source, const QString& goText,
                   QWidget* parent = nullptr);
    ReadCostDialog(const QString& question, quint64 keys, const Source* source, DetailCost cost, const QString& goText,
                   QWidget* parent = nullptr);

    QString text() const { return m_text; }
    static QString costText(quint64 keys, const Source* source);
    static QString costText(quint64 keys, const Source* source, DetailCost cost);
    // What was sent, for the closing sentence: " with 900 commands, 600 of them keyspace lookups" (empty when the
    // source sends no command for details).
    static QString sentText(quint64 keys, const Source* source);
    static QString sentText(quint64 keys, DetailCost cost);

private:
    QString m_text;
};

} // namespace cachelens::ui
