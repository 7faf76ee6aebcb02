#pragma once
// The Audit view: every destructive action from audit.db, filtered by a text (connection, action, pattern, user,
// outcome), exportable as CSV. The database is read and the CSV written by a loader on its own thread, so the GUI
// never waits on the disk.
#include "connectors/audit/AuditStore.h"
#include "connectors/support/Worker.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace cachelens::ui {

class AuditModel;

class AuditLoader : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void load(quint64 requestId, const QString& path, const QString& filter);
    void exportCsv(quint64 requestId, const QString& path, const QString& filter, const QString& file);
Q_SIGNALS:
    void loaded(quint64 requestId, const QVector<cachelens::AuditEntry>& entries, const QString& error);
    void exported(quint64 requestId, int rows, const QString& error);
};

class AuditView : public QWidget
{
    Q_OBJECT
public:
    explicit AuditView(QWidget* parent = nullptr);
    ~AuditView() override;

    void setAuditPath(const QString& path);      // default AuditStore::defaultPath()
    QString auditPath() const { return m_path; }
    AuditModel* model() const { return m_model; }
    QLineEdit* filterEdit() const { return m_filter; }
    QString statusText() const;

public Q_SLOTS:
    void reload();
    void exportTo(const QString& file);          // CSV of the rows matching the filter
    void exportCsv();                            // asks for a file name

private:
    void onLoaded(quint64 requestId, const QVector<cachelens::AuditEntry>& entries, const QString& error);

    QString m_path;
    QLineEdit* m_filter;
    QPushButton* m_refresh;
    QPushButton* m_export;
    QTableView* m_table;
    QLabel* m_status;
    AuditModel* m_model;
    AuditLoader* m_loader;   // adopted by m_worker: lives on its thread
    quint64 m_lastRequest = 0;
    Worker m_worker;         // last: joined before the members above go
};

} // namespace cachelens::ui

Q_DECLARE_METATYPE(cachelens::AuditEntry)
