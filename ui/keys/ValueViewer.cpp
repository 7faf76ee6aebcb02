#include "ui/keys/ValueViewer.h"

#include "ui/TypedNameField.h"

#include "connectors/Source.h"
#include "connectors/support/Units.h"
#include <cachelens/key_escape.h>
#include "ui/keys/RequestIds.h"
#include "ui/keys/ValuePageModel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QStringDecoder>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cachelens::ui {

namespace {

constexpr int kHexLimit = 1024 * 1024;   // hex dumps beyond this are cut (the bytes stay copyable)

QString hexDump(const QByteArray& bytes)
{
    QString out;
    const qsizetype n = std::min<qsizetype>(bytes.size(), kHexLimit);
    out.reserve(n * 4 + 64);
    for (qsizetype off = 0; off < n; off += 16) {
        out += QStringLiteral("%1  ").arg(off, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = 0; i < 16; ++i) {
            if (off + i < n) {
                const uchar c = uchar(bytes[off + i]);
                out += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += (c >= 0x20 && c < 0x7f) ? QChar(char16_t(c)) : QChar(u'.');
            } else {
                out += QStringLiteral("   ");
            }
            if (i == 7)
                out += QLatin1Char(' ');
        }
        out += QStringLiteral(" |") + ascii + QStringLiteral("|\n");
    }
    if (n < bytes.size())
        out += ValueViewer::tr("… %1 more bytes not shown").arg(QLocale().toString(bytes.size() - n));
    return out;
}

bool decodesAsText(const QByteArray& bytes, QString* text)
{
    QStringDecoder decode(QStringDecoder::Utf8);
    *text = decode(bytes);
    if (decode.hasError())
        return false;
    for (QChar c : *text)
        if (c.unicode() < 0x20 && c != u'\n' && c != u'\r' && c != u'\t')
            return false;
    return true;
}

void addJson(QTreeWidgetItem* parent, const QString& name, const QJsonValue& value)
{
    auto* item = new QTreeWidgetItem(parent, {name});
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        item->setText(1, ValueViewer::tr("{%1}").arg(o.size()));
        for (auto it = o.begin(); it != o.end(); ++it)
            addJson(item, it.key(), it.value());
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        item->setText(1, ValueViewer::tr("[%1]").arg(a.size()));
        for (qsizetype i = 0; i < a.size(); ++i)
            addJson(item, QString::number(i), a.at(i));
    } else {
        item->setText(1, QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
    }
}

} // namespace

ValueViewer::ValueViewer(QWidget* parent)
    : QWidget(parent),
      m_header(new QLabel(this)),
      m_status(new QLabel(this)),
      m_modeBox(new QComboBox(this)),
      m_loadAll(new QPushButton(tr("Load all"), this)),
      m_copy(new QPushButton(tr("Copy value"), this)),
      m_stack(new QStackedWidget(this)),
      m_text(new QPlainTextEdit(this)),
      m_json(new QTreeWidget(this)),
      m_table(new QTableView(this)),
      m_pages(new ValuePageModel(this))
{
    setObjectName(QStringLiteral("valueViewer"));
    m_edit = new QPushButton(tr("Edit…"), this);
    m_edit->setObjectName(QStringLiteral("editValueButton"));
    connect(m_edit, &QPushButton::clicked, this, &ValueViewer::editString);
    qRegisterMetaType<ValuePage>();
    m_header->setObjectName(QStringLiteral("valueHeader"));
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("valueStatus"));
    m_status->setWordWrap(true);
    m_modeBox->setObjectName(QStringLiteral("stringModeBox"));
    m_modeBox->addItem(tr("Auto"), QVariant::fromValue(StringMode::Auto));
    m_modeBox->addItem(tr("Text"), QVariant::fromValue(StringMode::Text));
    m_modeBox->addItem(tr("JSON"), QVariant::fromValue(StringMode::Json));
    m_modeBox->addItem(tr("Hex"), QVariant::fromValue(StringMode::Hex));
    connect(m_modeBox, &QComboBox::activated, this,
            [this](int i) { setStringMode(m_modeBox->itemData(i).value<StringMode>()); });
    m_loadAll->setObjectName(QStringLiteral("loadAllButton"));
    connect(m_loadAll, &QPushButton::clicked, this, &ValueViewer::loadAll);
    m_copy->setObjectName(QStringLiteral("copyValueButton"));
    connect(m_copy, &QPushButton::clicked, this, &ValueViewer::copyValue);

    m_text->setObjectName(QStringLiteral("valueText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setObjectName(QStringLiteral("valueJson"));
    m_json->setHeaderLabels({tr("Name"), tr("Value")});
    m_table->setObjectName(QStringLiteral("valueTable"));
    m_table->setModel(m_pages);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (m_type == KeyType::Hash)
            editHashField(index.row());
    });
    m_stack->addWidget(m_text);
    m_stack->addWidget(m_json);
    m_stack->addWidget(m_table);
    connect(m_pages, &ValuePageModel::pageWanted, this,
            [this](const QByteArray& cursor) { request(cursor, kCollectionPage); });

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_modeBox);
    bar->addWidget(m_loadAll);
    bar->addStretch(1);
    bar->addWidget(m_edit);
    bar->addWidget(m_copy);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_status);
    clear();
}

void ValueViewer::setSource(Source* source)
{
    if (m_source == source)
        return;
    QObject::disconnect(m_valueConn);
    QObject::disconnect(m_errorConn);
    QObject::disconnect(m_writeConn);
    m_source = source;
    clear();
    if (source) {
        m_valueConn = connect(source, &Source::valueReady, this, &ValueViewer::onValue);
        m_errorConn = connect(source, &Source::error, this, &ValueViewer::onError);
        m_writeConn = connect(source, &Source::keysChanged, this, &ValueViewer::onWritten);
    }
}

void ValueViewer::clear()
{
    m_requestId = 0;
    m_key.clear();
    m_type = KeyType::Unknown;
    m_total = -1;
    m_bytes.clear();
    m_nextCursor.clear();
    m_loadingAll = false;
    m_announced = false;
    m_header->setText(tr("Select a key to see its value."));
    m_status->clear();
    m_text->clear();
    m_json->clear();
    m_pages->reset(KeyType::Unknown);
    m_modeBox->setVisible(false);
    m_loadAll->setVisible(false);
    m_copy->setEnabled(false);
    m_edit->setVisible(false);
    m_stack->setCurrentWidget(m_text);
}

void ValueViewer::load(QByteArray key, KeyType typeHint)   // by value: callers may pass m_key, which clear() empties
{
    clear();
    if (key.isEmpty() || !m_source)
        return;
    m_key = key;
    m_header->setText(QString::fromStdString(engine::escapeKey(std::string_view(key.constData(), std::size_t(key.size())))));
    m_status->setText(tr("Loading…"));
    // The page size means bytes for a string and elements for a collection: without the type, ask for a collection's
    // page, and top a string up to kStringPage when its first reply says what it is.
    m_type = typeHint == KeyType::None ? KeyType::Unknown : typeHint;
    request({}, m_type == KeyType::String ? kStringPage : kCollectionPage);
}

void ValueViewer::request(const QByteArray& cursor, int pageSize)
{
    if (!m_source)
        return;
    m_requestId = nextKeysRequestId();
    const quint64 id = m_requestId;
    const QByteArray key = m_key;
    QPointer<Source> source = m_source;
    QMetaObject::invokeMethod(source, [source, id, key, cursor, pageSize] {
        if (source)
            source->fetchValue(id, key, cursor, pageSize);
    }, Qt::QueuedConnection);
}

bool ValueViewer::isPartial() const
{
    if (m_type == KeyType::String)
        return m_total >= 0 && m_bytes.size() < m_total;
    return !m_pages->isComplete();
}

void ValueViewer::onValue(const ValuePage& page)
{
    if (page.requestId != m_requestId || page.key != m_key)
        return;   // stale: another key was selected meanwhile
    if (page.error.isError()) {
        m_edit->setVisible(false);
        m_status->setText(tr("Cannot read the value: %1").arg(page.error.message));
        m_loadingAll = false;
        Q_EMIT loaded(m_key);
        return;
    }
    if (page.type == KeyType::None) {
        m_status->setText(tr("The key no longer exists."));
        Q_EMIT loaded(m_key);
        return;
    }
    const bool first = !m_announced;
    m_announced = true;
    m_type = page.type;
    m_total = page.total;
    const QLocale locale;
    QString ttl;
    if (page.ttlMs == -1)
        ttl = tr("no expiry");
    else if (page.ttlMs >= 0)
        ttl = tr("TTL %1 s").arg(locale.toString((page.ttlMs + 999) / 1000));
    if (m_type == KeyType::String) {
        if (page.offset == m_bytes.size())
            m_bytes.append(page.bytes);
        m_nextCursor = page.nextCursor;
        if (!m_loadingAll && !m_nextCursor.isEmpty() && m_bytes.size() < kStringPage) {
            request(m_nextCursor, int(kStringPage - m_bytes.size()));   // the first reply was an element-sized page
            m_announced = false;
            return;
        }
        m_header->setText(tr("%1 — string, %2%3")
                              .arg(QString::fromStdString(engine::escapeKey(std::string_view(m_key.constData(), std::size_t(m_key.size())))),
                                   formatBytes(m_total, 1, locale),
                                   ttl.isEmpty() ? QString() : tr(", %1").arg(ttl)));
        if (m_loadingAll && !m_nextCursor.isEmpty()) {
            request(m_nextCursor, 4 * 1024 * 1024);
            m_status->setText(tr("Loading… %1 of %2").arg(formatBytes(m_bytes.size(), 1, locale), formatBytes(m_total, 1, locale)));
            return;
        }
        const bool wasLoadingAll = m_loadingAll;
        m_loadingAll = false;
        render();
        if (first)
            Q_EMIT loaded(m_key);
        if (wasLoadingAll)
            Q_EMIT allLoaded(m_key);
        return;
    }
    // Collections
    const QString typeName = keyTypeName(m_type);
    m_header->setText(tr("%1 — %2, %3 elements%4")
                          .arg(QString::fromStdString(engine::escapeKey(std::string_view(m_key.constData(), std::size_t(m_key.size())))),
                               typeName, m_total >= 0 ? locale.toString(m_total) : tr("?"),
                               ttl.isEmpty() ? QString() : tr(", %1").arg(ttl)));
    m_pages->appendPage(page);
    m_modeBox->setVisible(false);
    m_loadAll->setVisible(false);
    m_copy->setEnabled(false);
    m_stack->setCurrentWidget(m_table);
    m_status->setText(m_pages->isComplete()
                          ? tr("All %1 elements shown").arg(locale.toString(m_pages->rowCount()))
                          : tr("%1 of %2 elements shown; scroll for more")
                                .arg(locale.toString(m_pages->rowCount()), m_total >= 0 ? locale.toString(m_total) : tr("?")));
    if (first)
        Q_EMIT loaded(m_key);
}

void ValueViewer::onError(quint64 requestId, const SourceError& error)
{
    if (requestId != m_requestId || m_requestId == 0)
        return;
    m_loadingAll = false;
    m_status->setText(tr("Cannot read the value: %1").arg(error.message));
    Q_EMIT loaded(m_key);
}

void ValueViewer::setStringMode(StringMode mode)
{
    m_mode = mode;
    m_modeBox->setCurrentIndex(m_modeBox->findData(QVariant::fromValue(mode)));
    if (m_type == KeyType::String)
        render();
}

void ValueViewer::render()
{
    const QLocale locale;
    m_modeBox->setVisible(true);
    m_copy->setEnabled(true);
    const bool partial = isPartial();
    m_loadAll->setVisible(partial);
    if (partial)
        m_loadAll->setText(m_total > kLargeValue ? tr("Load all %1 (large)").arg(formatBytes(m_total, 1, locale))
                                                 : tr("Load all %1").arg(formatBytes(m_total, 1, locale)));
    QString text;
    const bool isText = decodesAsText(m_bytes, &text);
    m_edit->setVisible(true);
    m_edit->setEnabled(m_editable && !partial && isText);
    m_edit->setToolTip(!m_editable ? m_editReason
                       : partial   ? tr("Load all of the value before editing it")
                       : !isText   ? tr("Binary values cannot be edited as text")
                                   : tr("Edit the value (its TTL is kept)"));
    StringMode mode = m_mode;
    QJsonParseError parseError{};
    QJsonDocument json;
    if (mode == StringMode::Auto || mode == StringMode::Json) {
        json = QJsonDocument::fromJson(m_bytes, &parseError);
        if (mode == StringMode::Auto)
            mode = (!partial && parseError.error == QJsonParseError::NoError && !json.isNull()) ? StringMode::Json
                   : isText ? StringMode::Text : StringMode::Hex;
    }
    QString note;
    switch (mode) {
    case StringMode::Json:
        if (parseError.error != QJsonParseError::NoError || json.isNull()) {
            m_text->setPlainText(isText ? text : hexDump(m_bytes));
            m_stack->setCurrentWidget(m_text);
            note = partial ? tr("Not all of the value is loaded, so it cannot be read as JSON yet.")
                           : tr("Not JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset);
        } else {
            m_text->setPlainText(QString::fromUtf8(json.toJson(QJsonDocument::Indented)));
            showJsonTree(m_bytes);
            m_stack->setCurrentWidget(m_json);
        }
        break;
    case StringMode::Text:
        if (isText) {
            m_text->setPlainText(text);
        } else {
            m_text->setPlainText(QString::fromStdString(engine::escapeKey(std::string_view(m_bytes.constData(), std::size_t(m_bytes.size())))));
            note = tr("Not valid UTF-8 text: shown escaped (\\xHH); Copy value copies the exact bytes.");
        }
        m_stack->setCurrentWidget(m_text);
        break;
    case StringMode::Hex:
    case StringMode::Auto:
        m_text->setPlainText(hexDump(m_bytes));
        m_stack->setCurrentWidget(m_text);
        if (!isText)
            note = tr("Binary value: hex dump.");
        break;
    }
    QString status = partial ? tr("First %1 of %2 shown.").arg(formatBytes(m_bytes.size(), 1, locale), formatBytes(m_total, 1, locale))
                             : tr("%1 bytes.").arg(locale.toString(m_bytes.size()));
    if (partial && m_total > kLargeValue)
        status += QLatin1Char(' ') + tr("Loading all of it holds %1 in memory.").arg(formatBytes(m_total, 1, locale));
    if (!note.isEmpty())
        status += QLatin1Char(' ') + note;
    m_status->setText(status);
}

void ValueViewer::showJsonTree(const QByteArray& bytes)
{
    m_json->clear();
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    auto* root = new QTreeWidgetItem(m_json, {tr("(root)")});
    if (doc.isObject()) {
        const QJsonObject o = doc.object();
        root->setText(1, tr("{%1}").arg(o.size()));
        for (auto it = o.begin(); it != o.end(); ++it)
            addJson(root, it.key(), it.value());
    } else if (doc.isArray()) {
        const QJsonArray a = doc.array();
        root->setText(1, tr("[%1]").arg(a.size()));
        for (qsizetype i = 0; i < a.size(); ++i)
            addJson(root, QString::number(i), a.at(i));
    }
    m_json->expandToDepth(1);
    m_json->resizeColumnToContents(0);
}

QString ValueViewer::text() const
{
    return m_text->toPlainText();
}

QString ValueViewer::headerText() const { return m_header->text(); }

QString ValueViewer::statusText() const { return m_status->text(); }

void ValueViewer::loadAll()
{
    if (m_type != KeyType::String || !isPartial() || m_loadingAll)
        return;
    m_loadingAll = true;
    request(m_nextCursor, 4 * 1024 * 1024);
}

void ValueViewer::copyValue()
{
    if (m_type != KeyType::String)
        return;
    auto* mime = new QMimeData;
    mime->setData(QStringLiteral("application/octet-stream"), m_bytes);
    QString text;
    mime->setText(decodesAsText(m_bytes, &text)
                      ? text
                      : QString::fromStdString(engine::escapeKey(std::string_view(m_bytes.constData(), std::size_t(m_bytes.size())))));
    QApplication::clipboard()->setMimeData(mime);
}

void ValueViewer::setEditPolicy(bool editable, const QString& reason, bool production, const QString& connectionName)
{
    m_editable = editable;
    m_editReason = reason;
    m_production = production;
    m_connectionName = connectionName;
    if (m_type == KeyType::String && !m_bytes.isNull())
        render();
}

void ValueViewer::editString()
{
    QString text;
    if (m_type != KeyType::String || isPartial() || !decodesAsText(m_bytes, &text) || !m_editable)
        return;
    openEditor({}, m_bytes);
}

void ValueViewer::editHashField(int row)
{
    if (m_type != KeyType::Hash || row < 0 || row >= m_pages->rowCount() || !m_editable)
        return;
    const ValueItem& item = m_pages->item(row);
    QString text;
    if (!decodesAsText(item.value, &text)) {
        m_status->setText(tr("This field holds binary data; it cannot be edited as text."));
        return;
    }
    openEditor(item.name, item.value);
}

void ValueViewer::openEditor(const QByteArray& field, const QByteArray& current)
{
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("valueEditDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString keyText = QString::fromStdString(engine::escapeKey(std::string_view(m_key.constData(), std::size_t(m_key.size()))));
    dialog->setWindowTitle(field.isEmpty() ? tr("Edit %1").arg(keyText)
                                           : tr("Edit %1 → %2").arg(keyText, ValuePageModel::displayBytes(field, 200)));
    auto* layout = new QVBoxLayout(dialog);
    auto* edit = new QPlainTextEdit(dialog);
    edit->setObjectName(QStringLiteral("valueEditText"));
    edit->setPlainText(QString::fromUtf8(current));
    layout->addWidget(edit);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, dialog);
    TypedNameField* typed = nullptr;
    if (m_production) {
        typed = new TypedNameField(m_connectionName, dialog);
        layout->addWidget(typed);
        buttons->button(QDialogButtonBox::Save)->setEnabled(false);
        connect(typed, &TypedNameField::matchChanged, buttons->button(QDialogButtonBox::Save), &QPushButton::setEnabled);
    }
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, edit, typed, field] {
        if (typed && !typed->matches())
            return;
        const Confirmation confirmation = typed ? typed->confirmation() : Confirmation{};
        const QByteArray value = edit->toPlainText().toUtf8();
        dialog->accept();
        if (!m_source)
            return;
        m_writeId = nextKeysRequestId();
        m_writeField = field;
        m_writeSize = value.size();
        const quint64 id = m_writeId;
        const QByteArray key = m_key;
        QPointer<Source> source = m_source;
        QMetaObject::invokeMethod(source, [source, id, key, field, value, confirmation] {
            if (source)
                source->writeValue(id, key, field, value, confirmation);
        }, Qt::QueuedConnection);
        m_status->setText(tr("Saving…"));
    });
    dialog->resize(640, 420);
    dialog->open();
}

void ValueViewer::onWritten(const KeyOpResult& result)
{
    if (result.requestId != m_writeId || m_writeId == 0)
        return;
    m_writeId = 0;
    const QString keyText = QString::fromStdString(engine::escapeKey(std::string_view(m_key.constData(), std::size_t(m_key.size()))));
    QString summary;
    if (result.error.isError()) {
        summary = tr("Not saved: %1").arg(result.error.message);
        m_status->setText(summary);
    } else {
        summary = m_writeField.isEmpty()
            ? tr("Saved %1 bytes to %2.").arg(QLocale().toString(m_writeSize), keyText)
            : tr("Saved %1 bytes to field %2 of %3.").arg(QLocale().toString(m_writeSize), ValuePageModel::displayBytes(m_writeField, 200), keyText);
        const QByteArray key = m_key;   // load() clears m_key first
        load(key, m_type);              // show what the server now holds
    }
    Q_EMIT written(summary);
}

} // namespace cachelens::ui
