#pragma once
// KeyTreeModel's private parts shared by KeyTreeModel.cpp and KeyTreeModelSort.cpp.
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/SlicedSort.h"

#include <vector>

namespace cachelens::ui {

struct KeyTreeModel::RowLess {
    const KeyTreeModel* model;
    bool operator()(quint32 a, quint32 b) const { return model->rowLess(a, b); }
};

struct KeyTreeModel::SortJob {
    quint32 node = 0;
    std::size_t snapshotSize = 0;
    quint64 rowsVersion = 0;
    SlicedSort<quint32, RowLess> sorter;
    SortJob(quint32 n, std::vector<quint32> rows, quint64 version, const KeyTreeModel* model)
        : node(n), snapshotSize(rows.size()), rowsVersion(version), sorter(std::move(rows), RowLess{model})
    {
    }
};

} // namespace cachelens::ui
