#pragma once
// Edits the dashboard's alert rules (hit rate below, drop against the 10-minute average, memory above).
#include "ui/dashboard/AlertRules.h"

#include <QDialog>

class QCheckBox;
class QDoubleSpinBox;

namespace cachelens::ui {

class AlertsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AlertsDialog(const AlertRules& rules, QWidget* parent = nullptr);
    AlertRules rules() const;

private:
    QCheckBox* m_below;
    QDoubleSpinBox* m_belowPct;
    QCheckBox* m_drop;
    QDoubleSpinBox* m_dropPoints;
    QCheckBox* m_memory;
    QDoubleSpinBox* m_memoryMiB;
};

} // namespace cachelens::ui
