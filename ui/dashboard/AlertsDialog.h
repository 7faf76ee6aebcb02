#pragma once
// Edits the dashboard's alert rules (hit rate below, drop against the 10-minute average, memory above): the
// defaults, and for each shown connection either its own rules or "follow the defaults".
#include "ui/dashboard/AlertRules.h"

#include <QDialog>
#include <QList>

#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

namespace cachelens::ui {

class AlertsDialog : public QDialog
{
    Q_OBJECT
public:
    struct Connection {
        QString id;
        QString name;
        std::optional<AlertRules> own;   // nullopt: the defaults apply
    };

    AlertsDialog(const AlertRules& defaults, const QList<Connection>& connections, QWidget* parent = nullptr);

    AlertRules defaults() const;
    QList<Connection> connections() const;   // as edited

    // What the form edits: 0 = the defaults, i + 1 = connections().at(i).
    void selectScope(int index);
    void setOwnRules(bool own);               // the selected connection has rules of its own
    void setRules(const AlertRules& rules);   // into the form (the defaults or the connection's own rules)
    AlertRules formRules() const;

private:
    void storeForm();                         // the form into the scope it was showing
    void showScope();

    QComboBox* m_scope;
    QCheckBox* m_own;
    QCheckBox* m_below;
    QDoubleSpinBox* m_belowPct;
    QCheckBox* m_drop;
    QDoubleSpinBox* m_dropPoints;
    QCheckBox* m_memory;
    QDoubleSpinBox* m_memoryMiB;
    AlertRules m_defaults;
    QList<Connection> m_connections;
    int m_shown = 0;
};

} // namespace cachelens::ui
