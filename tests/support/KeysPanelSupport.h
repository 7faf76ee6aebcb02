#pragma once
// Helpers for the Keys panel tests (header-only: only tests that link cachelens_ui include it).
#include "ui/ConnectionListModel.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/KeysPanel.h"

#include <QItemSelectionModel>
#include <QTreeView>

namespace cachelens::test {

inline ui::ConnectionEntry connectionEntry(const QString& name, bool production = false, bool readOnly = false)
{
    ui::ConnectionEntry e;
    e.id = name;
    e.name = name;
    e.production = production;
    e.readOnly = readOnly;
    return e;
}

// The child of `parent` whose name column reads `name` (among the rows fetched so far); invalid if none.
inline QModelIndex childNamed(const ui::KeyTreeModel& model, const QModelIndex& parent, const QString& name)
{
    for (int r = 0; r < model.rowCount(parent); ++r)
        if (model.index(r, 0, parent).data().toString() == name)
            return model.index(r, 0, parent);
    return {};
}

// Selects one row of the panel's tree as a click would (the panel reacts to the selection).
inline void selectRow(ui::KeysPanel& panel, const QModelIndex& index)
{
    panel.view()->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    panel.view()->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
}

} // namespace cachelens::test
