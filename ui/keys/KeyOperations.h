#pragma once
// KeyOperations: deleting keys and changing their TTL from the Keys panel, through the source's guarded calls
// (Source::remove, Source::setTtl: read-only refuses, production needs the typed name, the audit row comes first).
// It asks first (DeleteConfirmDialog, TtlDialog; the connection's name typed on production), sends the request, and
// changes the tree from the answer only — what the server no longer has, or the TTL it now holds — ending with one
// sentence saying what was done. Dialogs open without a modal loop.
#include "connectors/SourceTypes.h"
#include "ui/ConnectionListModel.h"

#include <QHash>
#include <QObject>
#include <QPointer>

class QWidget;

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class KeyTreeModel;

class KeyOperations : public QObject
{
    Q_OBJECT
public:
    // Dialogs open over `dialogParent`, which also owns this object.
    KeyOperations(KeyTreeModel* model, QWidget* dialogParent);

    void setSource(Source* source);               // operations on the previous source are forgotten
    void setConnection(const ConnectionEntry& entry);   // read-only, production and the name to type
    void deleteKeys(const QList<QByteArray>& keys);     // asks first
    // `what` names the keys in the dialog; currentTtlMs: the one key's remaining TTL (-2 unknown or several keys).
    void editTtl(const QList<QByteArray>& keys, const QString& what, qint64 currentTtlMs);

Q_SIGNALS:
    void started(const QString& sentence);        // "Deleting 3 keys…"
    void finished(const QString& sentence);       // what was done, or why nothing was
    void ttlAnswered(const QList<QByteArray>& keys);   // a TTL change on these keys was answered (done or not)

private:
    enum class Kind { Delete, Ttl };
    struct Op {
        Kind kind;
        QList<QByteArray> keys;
        qint64 ttlMs = 0;
    };
    void onKeysChanged(const KeyOpResult& result);
    void onError(quint64 requestId, const SourceError& error);

    KeyTreeModel* m_model;
    QWidget* m_dialogParent;
    QPointer<Source> m_source;
    QList<QMetaObject::Connection> m_connections;
    ConnectionEntry m_entry;
    QHash<quint64, Op> m_ops;                     // in flight, by request id
};

} // namespace cachelens::ui
