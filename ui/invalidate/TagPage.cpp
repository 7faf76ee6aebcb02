#include "ui/invalidate/TagPage.h"

#include "connectors/Source.h"
#include "connectors/support/Progress.h"
#include "ui/invalidate/ConfirmPurgeDialog.h"
#include "ui/invalidate/SourceCalls.h"
#include "ui/invalidate/TagListModel.h"

#include <cachelens/key_escape.h>

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace cachelens::ui {
namespace {

// The pattern page numbers its requests from 1; the tag page's live in another range so they never collide.
constexpr quint64 kIdBase = quint64(1) << 62;
constexpr int kPreviewCount = 100;

QString escaped(const QByteArray& key)
{
    return QString::fromStdString(engine::escapeKey(std::string_view(key.constData(), size_t(key.size()))));
}

} // namespace

TagPage::TagPage(QWidget* parent)
    : QWidget(parent), m_prefix(new QLineEdit), m_list(new QPushButton(tr("List tags"))), m_model(new TagListModel(this)),
      m_view(new QTableView), m_members(new QListWidget), m_memberText(new QLabel), m_dryRun(new QPushButton(tr("Dry run"))),
      m_invalidate(new QPushButton(tr("Invalidate checked…"))), m_cancel(new QPushButton(tr("Cancel"))),
      m_reason(new QLabel), m_progress(new QProgressBar), m_result(new QLabel)
{
    qRegisterMetaType<TagList>();
    qRegisterMetaType<TagMembers>();
    m_prefix->setPlaceholderText(tr("the application's key prefix, e.g. shop: (empty: none)"));
    m_prefix->setToolTip(tr("Tags of the CacheLens engine over Redis are sets named <prefix>tag:<name>"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setSectionResizeMode(TagListModel::Name, QHeaderView::Stretch);
    m_view->verticalHeader()->hide();
    m_memberText->setWordWrap(true);
    m_reason->setWordWrap(true);
    m_reason->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);

    auto* form = new QFormLayout;
    auto* prefixRow = new QHBoxLayout;
    prefixRow->addWidget(m_prefix, 1);
    prefixRow->addWidget(m_list);
    form->addRow(tr("Key prefix:"), prefixRow);
    auto* membersBox = new QWidget;
    auto* membersLayout = new QVBoxLayout(membersBox);
    membersLayout->setContentsMargins(0, 0, 0, 0);
    membersLayout->addWidget(m_memberText);
    membersLayout->addWidget(m_members, 1);
    auto* split = new QSplitter;
    split->addWidget(m_view);
    split->addWidget(membersBox);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_dryRun);
    buttons->addWidget(m_invalidate);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_reason);
    layout->addWidget(m_progress);
    layout->addWidget(m_result);

    connect(m_list, &QPushButton::clicked, this, &TagPage::listTags);
    connect(m_prefix, &QLineEdit::returnPressed, this, &TagPage::listTags);
    connect(m_dryRun, &QPushButton::clicked, this, &TagPage::startDryRun);
    connect(m_invalidate, &QPushButton::clicked, this, &TagPage::askToInvalidate);
    connect(m_cancel, &QPushButton::clicked, this, &TagPage::cancelRunning);
    connect(m_model, &TagListModel::checkedChanged, this, &TagPage::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { preview(current); });
    updateActions();
}

TagPage::~TagPage() = default;

quint64 TagPage::nextId() { return kIdBase + ++m_nextId; }

void TagPage::setSource(Source* source, bool local)
{
    if (m_source)
        m_source->disconnect(this);
    m_source = source;
    m_local = local;
    m_listing = m_previewing = m_running = 0;
    m_dryTags.clear();
    m_model->setTags({});
    m_members->clear();
    m_memberText->clear();
    m_prefix->setEnabled(!local);
    if (source) {
        connect(source, &Source::tagsListed, this, &TagPage::onListed);
        connect(source, &Source::tagMembersReady, this, &TagPage::onMembers);
        connect(source, &Source::invalidationProgress, this, &TagPage::onProgress);
        connect(source, &Source::invalidationFinished, this, &TagPage::onFinished);
    }
    updateActions();
}

void TagPage::setConnection(const QString& name, bool production, bool readOnly)
{
    m_connectionName = name;
    m_production = production;
    m_readOnly = readOnly;
    updateActions();
}

void TagPage::updateActions()
{
    const bool idle = m_running == 0;
    const QList<QByteArray> checked = m_model->checkedTags();
    QString reason;
    if (!m_source)
        reason = tr("Connect to a cache to invalidate tags.");
    else if (m_readOnly)
        reason = tr("%1 is a read-only connection: invalidating is disabled. Clear “read-only” in the connection's "
                    "settings to invalidate.").arg(m_connectionName);
    else if (!checked.isEmpty() && idle && checked != m_dryTags)
        reason = tr("Run a dry run first: it shows how many keys will be deleted.");
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    m_list->setEnabled(m_source && m_listing == 0);
    m_dryRun->setEnabled(m_source && idle && !checked.isEmpty());
    m_invalidate->setEnabled(m_source && idle && !m_readOnly && !checked.isEmpty() && checked == m_dryTags);
    m_cancel->setEnabled(!idle);
}

void TagPage::listTags() { requestTags(false); }

void TagPage::requestTags(bool quiet)
{
    if (!m_source)
        return;
    m_quietListing = quiet;
    const quint64 id = nextId();
    m_listing = id;
    const QByteArray prefix = m_prefix->text().toUtf8();
    Source* source = m_source;
    QMetaObject::invokeMethod(source, [source, id, prefix] { source->listTags(id, prefix); }, Qt::QueuedConnection);
    if (!quiet)
        m_result->setText(tr("Listing tags…"));
    updateActions();
}

void TagPage::onListed(const TagList& list)
{
    if (list.requestId != m_listing)
        return;
    m_listing = 0;
    m_model->setTags(list.tags);
    m_members->clear();
    m_memberText->clear();
    const QLocale locale;
    QString text = list.tags.isEmpty()
        ? (m_local ? tr("The engine has no tagged keys.")
                   : tr("No tag sets named %1tag:… on %2.").arg(QString::fromUtf8(list.prefix), m_connectionName))
        : tr("%1 tags").arg(locale.toString(qlonglong(list.tags.size())));
    if (list.error.isError())
        text += tr("; stopped: %1").arg(list.error.message);
    if (!m_quietListing)
        m_result->setText(text);
    updateActions();
}

void TagPage::preview(const QModelIndex& current)
{
    m_members->clear();
    if (!m_source || !current.isValid())
        return;
    if (m_local) {
        m_memberText->setText(tr("The local engine counts a tag's keys but does not list them."));
        return;
    }
    const QByteArray tag = m_model->tags().at(current.row()).name;
    const quint64 id = nextId();
    m_previewing = id;
    const QByteArray prefix = m_prefix->text().toUtf8();
    Source* source = m_source;
    QMetaObject::invokeMethod(source, [source, id, prefix, tag] { source->tagMembers(id, prefix, tag, kPreviewCount); },
                              Qt::QueuedConnection);
    m_memberText->setText(tr("Loading the keys tagged %1…").arg(escaped(tag)));
}

void TagPage::onMembers(const TagMembers& m)
{
    if (m.requestId != m_previewing)
        return;
    m_previewing = 0;
    const QLocale locale;
    if (m.error.isError()) {
        m_memberText->setText(tr("Cannot list the keys tagged %1: %2").arg(escaped(m.tag), m.error.message));
        return;
    }
    for (const QByteArray& key : m.members)
        m_members->addItem(escaped(key));
    m_memberText->setText(tr("%1 of %2 keys tagged %3")
                              .arg(locale.toString(qlonglong(m.members.size())),
                                   m.total < 0 ? tr("?") : locale.toString(m.total), escaped(m.tag)));
}

void TagPage::startDryRun() { start(true); }

void TagPage::askToInvalidate()
{
    const QList<QByteArray> tags = m_model->checkedTags();
    if (!m_source || m_readOnly || m_running || tags.isEmpty() || tags != m_dryTags)
        return;
    QStringList names;
    for (const QByteArray& t : tags)
        names << escaped(t).toHtmlEscaped();
    const QString what = tr("Delete the %1 keys tagged %2 on %3?")
                             .arg(QLocale().toString(qulonglong(m_dryMatched)), names.join(QStringLiteral(", ")),
                                  m_connectionName.toHtmlEscaped());
    auto* dialog = new ConfirmPurgeDialog(what, m_connectionName, m_production, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog] { start(false, dialog->confirmation()); });
    dialog->open();
}

void TagPage::start(bool dryRun, const Confirmation& confirmation)
{
    const QList<QByteArray> tags = m_model->checkedTags();
    if (!m_source || m_running || tags.isEmpty() || (!dryRun && m_readOnly))
        return;
    InvalidateOptions options;
    options.dryRun = dryRun;
    const quint64 id = nextId();
    m_running = id;
    m_runningDry = dryRun;
    const QByteArray prefix = m_prefix->text().toUtf8();
    Source* source = m_source;
    QMetaObject::invokeMethod(source, [source, id, prefix, tags, options, confirmation] {
        source->invalidateTags(id, prefix, tags, options, confirmation);
    }, Qt::QueuedConnection);
    m_progress->setRange(0, 0);
    m_result->setText(dryRun ? tr("Counting the tagged keys…") : tr("Invalidating…"));
    updateActions();
}

void TagPage::cancelRunning()
{
    if (!m_source || !m_running)
        return;
    cancelOnSource(m_source, m_running);
    m_result->setText(tr("Cancelling…"));
}

void TagPage::onProgress(const InvalidationProgress& p)
{
    if (p.requestId != m_running || m_runningDry)
        return;
    const QLocale locale;
    m_progress->setRange(0, 1000);
    m_progress->setValue(p.estimatedMatches ? int(qMin<quint64>(1000, p.deleted * 1000 / p.estimatedMatches)) : 0);
    m_result->setText(progressLine(tr("%1 of ~%2 keys deleted")
                                       .arg(locale.toString(qulonglong(p.deleted)), locale.toString(qulonglong(p.estimatedMatches))),
                                   p.keysPerSecond, p.etaSeconds, tr("keys"), locale));
}

void TagPage::onFinished(const InvalidationReport& r)
{
    if (r.requestId != m_running)
        return;
    m_running = 0;
    m_progress->setRange(0, 1000);
    m_progress->setValue(r.error.isError() || r.cancelled ? m_progress->value() : 1000);
    QString text = r.summary();
    if (r.error.isError() || r.cancelled || r.interrupted)
        text = QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped());
    text += tr(" (%1 s)").arg(r.seconds, 0, 'f', 2);
    if (r.dryRun && !r.error.isError()) {
        m_dryTags = m_model->checkedTags();
        m_dryMatched = r.matched;
        m_members->clear();
        for (const QByteArray& key : r.sample)
            m_members->addItem(escaped(key));
        m_memberText->setText(r.sample.isEmpty() ? QString() : tr("A sample of the keys that would be deleted:"));
    } else if (!r.dryRun) {
        m_dryTags.clear();
        if (!m_local && !r.error.isError())
            text += tr("; running applications were told to drop them from their local caches");
        Q_EMIT invalidated();
    }
    m_result->setText(text);
    if (!r.dryRun)
        requestTags(/*quiet=*/true);   // the counts changed; the report stays on screen
    updateActions();
}

} // namespace cachelens::ui
