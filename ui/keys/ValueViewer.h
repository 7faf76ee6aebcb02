#pragma once
// ValueViewer: one key's value, read page by page through a Source.
//   string      text (UTF-8 as is; anything else escaped, never mangled), JSON pretty-printed (folding in the JSON
//               tree), hex dump; the first kStringPage bytes load at once, the rest on "Load all" with its size shown
//   collections a paged table (ValuePageModel) that fetches the next page as the user scrolls
// Copy puts the exact bytes on the clipboard (application/octet-stream) beside a text form.
#include "connectors/SourceTypes.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTreeWidget;

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class ValuePageModel;

class ValueViewer : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kStringPage = 256 * 1024;        // bytes of a string shown at once
    static constexpr int kCollectionPage = 200;           // elements per page
    static constexpr qint64 kLargeValue = 16 * 1024 * 1024;   // "Load all" warns above this
    enum class StringMode { Auto, Text, Json, Hex };

    explicit ValueViewer(QWidget* parent = nullptr);

    void setSource(Source* source);
    // Editing strings and hash fields: off on read-only connections (with the reason as tooltip); on production the
    // edit dialog asks for the connection's name before it saves.
    void setEditPolicy(bool editable, const QString& reason, bool production, const QString& connectionName);
    void load(QByteArray key, KeyType typeHint = KeyType::Unknown);   // empty key: clear
    void clear();

    QByteArray key() const { return m_key; }
    KeyType type() const { return m_type; }
    QByteArray loadedBytes() const { return m_bytes; }   // string bytes loaded so far
    qint64 totalSize() const { return m_total; }
    bool isPartial() const;
    QString text() const;                  // what the text view shows
    QString headerText() const;
    QString statusText() const;
    ValuePageModel* pageModel() const { return m_pages; }
    StringMode stringMode() const { return m_mode; }

public Q_SLOTS:
    void setStringMode(cachelens::ui::ValueViewer::StringMode mode);
    void loadAll();
    void copyValue();
    void editString();                    // the edit dialog for a fully loaded text string, without a modal loop
    void editHashField(int row);          // the edit dialog for one field of the hash page model


Q_SIGNALS:
    void loaded(const QByteArray& key);   // the first page arrived (or the error)
    void allLoaded(const QByteArray& key);
    void written(const QString& summary);   // "Saved 12 bytes to user:42" or why not

private:
    void onValue(const ValuePage& page);
    void onError(quint64 requestId, const SourceError& error);
    void request(const QByteArray& cursor, int pageSize);
    void render();
    void showJsonTree(const QByteArray& bytes);
    void openEditor(const QByteArray& field, const QByteArray& current);
    void onWritten(const KeyOpResult& result);

    QPointer<Source> m_source;
    QMetaObject::Connection m_valueConn, m_errorConn, m_writeConn;
    quint64 m_writeId = 0;
    QByteArray m_writeField;
    qint64 m_writeSize = 0;
    bool m_editable = true;
    QString m_editReason;
    bool m_production = false;
    QString m_connectionName;
    QPushButton* m_edit;
    quint64 m_requestId = 0;
    quint64 m_nextId = 1;
    QByteArray m_key;
    KeyType m_type = KeyType::Unknown;
    qint64 m_total = -1;
    QByteArray m_bytes;
    QByteArray m_nextCursor;
    bool m_loadingAll = false;
    bool m_announced = false;         // loaded() was emitted for this key
    StringMode m_mode = StringMode::Auto;

    QLabel* m_header;
    QLabel* m_status;
    QComboBox* m_modeBox;
    QPushButton* m_loadAll;
    QPushButton* m_copy;
    QStackedWidget* m_stack;
    QPlainTextEdit* m_text;
    QTreeWidget* m_json;
    QTableView* m_table;
    ValuePageModel* m_pages;
};

} // namespace cachelens::ui

Q_DECLARE_METATYPE(cachelens::ui::ValueViewer::StringMode)
