#include "ui/keys/KeyOperations.h"

#include "connectors/Source.h"
#include "ui/keys/DeleteConfirmDialog.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/RequestIds.h"
#include "ui/keys/TtlDialog.h"

#include <QLocale>
#include <QWidget>

namespace cachelens::ui {

KeyOperations::KeyOperations(KeyTreeModel* model, QWidget* dialogParent)
    : QObject(dialogParent), m_model(model), m_dialogParent(dialogParent)
{
    qRegisterMetaType<KeyOpResult>();
    qRegisterMetaType<SourceError>();
}

void KeyOperations::setSource(Source* source)
{
    if (m_source == source)
        return;
    for (const auto& c : std::as_const(m_connections))
        QObject::disconnect(c);
    m_connections.clear();
    m_ops.clear();
    m_source = source;
    if (source)
        m_connections << connect(source, &Source::keysChanged, this, &KeyOperations::onKeysChanged)
                      << connect(source, &Source::error, this, &KeyOperations::onError);
}

void KeyOperations::setConnection(const ConnectionEntry& entry)
{
    m_entry = entry;
}

void KeyOperations::deleteKeys(const QList<QByteArray>& keys)
{
    if (!m_source || m_entry.readOnly || keys.isEmpty())
        return;
    QStringList sample;
    for (const QByteArray& k : keys.mid(0, 10))
        sample << KeyTreeModel::displayKey(k);
    auto* dialog = new DeleteConfirmDialog(quint64(keys.size()), sample, m_entry.name, m_entry.production, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, keys] {
        if (!m_source)
            return;
        const quint64 id = nextKeysRequestId();
        m_ops.insert(id, Op{Kind::Delete, keys, 0});
        Q_EMIT started(tr("Deleting %1 keys…").arg(QLocale().toString(keys.size())));
        callSource(m_source, [id, keys, confirmation = dialog->confirmation()](Source* s) { s->remove(id, keys, confirmation); });
    });
    dialog->open();
}

void KeyOperations::editTtl(const QList<QByteArray>& keys, const QString& what, qint64 currentTtlMs)
{
    if (!m_source || m_entry.readOnly || keys.isEmpty())
        return;
    auto* dialog = new TtlDialog(quint64(keys.size()), what, currentTtlMs, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_entry.production)
        dialog->requireTypedName(m_entry.name);
    // A TTL of zero or less means "delete": offered as such, through the delete confirmation.
    connect(dialog, &TtlDialog::deleteInsteadRequested, this, [this, keys] { deleteKeys(keys); });
    connect(dialog, &QDialog::accepted, this, [this, dialog, keys] {
        const qint64 ttl = dialog->ttlMs();
        if (!m_source || ttl == 0)
            return;
        const quint64 id = nextKeysRequestId();
        m_ops.insert(id, Op{Kind::Ttl, keys, ttl});
        Q_EMIT started(tr("%1…").arg(dialog->summary()));
        callSource(m_source, [id, keys, ttl, confirmation = dialog->confirmation()](Source* s) {
            s->setTtl(id, keys, ttl, confirmation);
        });
    });
    dialog->open();
}

void KeyOperations::onKeysChanged(const KeyOpResult& result)
{
    const auto it = m_ops.find(result.requestId);
    if (it == m_ops.end())
        return;
    const Op op = *it;
    m_ops.erase(it);
    const QLocale locale;
    QString text;
    if (op.kind == Kind::Delete) {
        // What the server no longer has, whether we removed it or it was already gone; a stop midway leaves the
        // tree as it was for the keys not reached (a re-scan shows the truth).
        if (!result.error.isError())
            m_model->removeKeys(op.keys);
        text = tr("Deleted %1 of %2 keys").arg(locale.toString(result.affected), locale.toString(result.requested));
        if (result.affected < result.requested && !result.error.isError())
            text += tr(" (the others no longer existed)");
    } else {
        if (!result.error.isError())
            m_model->setTtl(op.keys, op.ttlMs);
        text = op.ttlMs < 0 ? tr("Removed the expiry of %1 of %2 keys").arg(locale.toString(result.affected), locale.toString(result.requested))
                            : tr("Set the TTL of %1 of %2 keys").arg(locale.toString(result.affected), locale.toString(result.requested));
        if (result.affected < result.requested && !result.error.isError())
            text += op.ttlMs < 0 ? tr(" (the others had no expiry or no longer existed)") : tr(" (the others no longer existed)");
        Q_EMIT ttlAnswered(op.keys);
    }
    if (result.error.isError())
        text += tr("; stopped: %1").arg(result.error.message);
    text += QLatin1Char('.');
    Q_EMIT finished(text);
}

void KeyOperations::onError(quint64 requestId, const SourceError& error)
{
    const auto it = m_ops.find(requestId);
    if (it == m_ops.end())
        return;
    const Op op = *it;
    m_ops.erase(it);
    Q_EMIT finished(op.kind == Kind::Delete ? tr("Nothing deleted: %1").arg(error.message)
                                            : tr("No TTL changed: %1").arg(error.message));
}

} // namespace cachelens::ui
