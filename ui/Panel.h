#pragma once
// A panel of the main window (Dashboard, Keys, Invalidate, Simulate). MainWindow only hosts panels; each panel is
// its own widget with its own model and can be tested alone.
#include "connectors/Source.h"

#include <QWidget>

namespace cachelens::ui {

struct ConnectionEntry;

class Panel : public QWidget
{
    Q_OBJECT
public:
    using QWidget::QWidget;

    virtual QString panelId() const = 0;       // "dashboard", "keys", … (used by --panel and QSettings)
    virtual QString title() const = 0;         // tab title
    virtual QIcon icon() const = 0;
    virtual bool canRefresh() const { return false; }

public Q_SLOTS:
    virtual void refresh() {}                   // F5
    virtual void setConnection(const cachelens::ui::ConnectionEntry& entry) { Q_UNUSED(entry); }
    // The selected connection's Source (lives on its own thread: queued calls and signals only), or nullptr while
    // it is not open. Called again with nullptr before a source goes away.
    virtual void setSource(cachelens::Source* source) { Q_UNUSED(source); }
};

} // namespace cachelens::ui
