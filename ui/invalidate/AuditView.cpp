#include "ui/invalidate/AuditView.h"

#include "ui/invalidate/AuditModel.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace cachelens::ui {

void AuditLoader::load(quint64 requestId, const QString& path, const QString& filter)
{
    AuditStore store;
    if (!QFile::exists(path)) {
        Q_EMIT loaded(requestId, {}, QString());   // nothing audited yet
        return;
    }
    if (!store.open(path)) {
        Q_EMIT loaded(requestId, {}, store.errorString());
        return;
    }
    AuditFilter f;
    f.text = filter;
    Q_EMIT loaded(requestId, store.entries(f), QString());
}

void AuditLoader::exportCsv(quint64 requestId, const QString& path, const QString& filter, const QString& file)
{
    QVector<AuditEntry> entries;
    AuditStore store;
    if (QFile::exists(path)) {
        if (!store.open(path)) {
            Q_EMIT exported(requestId, 0, store.errorString());
            return;
        }
        AuditFilter f;
        f.text = filter;
        f.limit = -1;
        entries = store.entries(f);
    }
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || !AuditStore::exportCsv(entries, out)) {
        Q_EMIT exported(requestId, 0, tr("%1 cannot be written: %2").arg(file, out.errorString()));
        return;
    }
    Q_EMIT exported(requestId, int(entries.size()), QString());
}

AuditView::AuditView(QWidget* parent)
    : QWidget(parent), m_path(AuditStore::defaultPath()), m_filter(new QLineEdit(this)),
      m_refresh(new QPushButton(tr("Refresh"), this)), m_export(new QPushButton(tr("Export CSV…"), this)),
      m_table(new QTableView(this)), m_status(new QLabel(this)), m_model(new AuditModel(this)),
      m_loader(new AuditLoader), m_worker(QStringLiteral("audit"))
{
    qRegisterMetaType<AuditEntry>();
    qRegisterMetaType<QVector<AuditEntry>>();
    m_filter->setPlaceholderText(tr("Filter by connection, action, pattern, user or outcome"));
    m_filter->setClearButtonEnabled(true);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_refresh);
    bar->addWidget(m_export);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);

    m_worker.adopt(m_loader);
    connect(m_loader, &AuditLoader::loaded, this, &AuditView::onLoaded);
    connect(m_loader, &AuditLoader::exported, this, [this](quint64, int rows, const QString& error) {
        m_status->setText(error.isEmpty() ? tr("Exported %1 rows.").arg(QLocale().toString(rows)) : error);
    });

    auto* debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(m_filter, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, &AuditView::reload);
    connect(m_refresh, &QPushButton::clicked, this, &AuditView::reload);
    connect(m_export, &QPushButton::clicked, this, &AuditView::exportCsv);
}

AuditView::~AuditView() = default;   // m_worker finishes the read or export running, then deletes m_loader

void AuditView::setAuditPath(const QString& path)
{
    m_path = path;
    reload();
}

QString AuditView::statusText() const { return m_status->text(); }

void AuditView::reload()
{
    const quint64 id = ++m_lastRequest;
    // A newer reload replaces one not started yet (its answer would be stale anyway).
    m_worker.postLatest([loader = m_loader, id, path = m_path, filter = m_filter->text()](const std::atomic<bool>&) {
        loader->load(id, path, filter);
    });
}

void AuditView::exportTo(const QString& file)
{
    m_worker.post([loader = m_loader, path = m_path, filter = m_filter->text(), file] {
        loader->exportCsv(0, path, filter, file);
    });
}

void AuditView::exportCsv()
{
    auto* dialog = new QFileDialog(this, tr("Export the audit log"), QString(), tr("CSV files (*.csv)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, &AuditView::exportTo);
    dialog->open();
}

void AuditView::onLoaded(quint64 requestId, const QVector<AuditEntry>& entries, const QString& error)
{
    if (requestId != m_lastRequest)
        return;   // the filter changed since
    m_model->setEntries(entries);
    m_table->resizeColumnsToContents();
    m_status->setText(error.isEmpty() ? tr("%n destructive action(s) recorded in %1", nullptr, int(entries.size())).arg(m_path)
                                      : error);
}

} // namespace cachelens::ui
