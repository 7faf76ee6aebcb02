#include "ui/dashboard/Decimator.h"

#include <cmath>

namespace cachelens::ui {

int pointsInRange(const QCPGraphDataContainer& raw, double from, double to)
{
    return int(raw.findEnd(to, false) - raw.findBegin(from, false));
}

void decimateMinMax(const QCPGraphDataContainer& raw, double from, double to, double bucketWidth,
                    QVector<QCPGraphData>& out)
{
    if (bucketWidth <= 0 || raw.isEmpty())
        return;
    auto it = raw.findBegin(from - bucketWidth, false);
    const auto end = raw.findEnd(to + bucketWidth, false);

    // Buckets are aligned to absolute key multiples, not to `from`: a pan by less than a column keeps the same
    // buckets, so the line does not shimmer while the window slides.
    while (it != end) {
        const double bucket = std::floor(it->key / bucketWidth);
        const QCPGraphData* first = &*it;
        const QCPGraphData* lo = nullptr;
        const QCPGraphData* hi = nullptr;
        const QCPGraphData* gap = nullptr;
        const QCPGraphData* last = nullptr;
        int count = 0;
        for (; it != end && std::floor(it->key / bucketWidth) == bucket; ++it) {
            ++count;
            last = &*it;
            if (std::isnan(it->value)) {
                if (!gap)
                    gap = &*it;
                continue;
            }
            if (!lo || it->value < lo->value)
                lo = &*it;
            if (!hi || it->value > hi->value)
                hi = &*it;
        }
        if (count <= 2) {
            out.append(*first);
            if (count == 2)
                out.append(*last);
            continue;
        }
        // Emit min, max and gap in key order (at most three points per bucket).
        const QCPGraphData* picks[3] = {lo, hi == lo ? nullptr : hi, gap};
        std::sort(std::begin(picks), std::end(picks), [](const QCPGraphData* a, const QCPGraphData* b) {
            if (!a || !b)
                return a && !b;   // nulls last
            return a->key < b->key;
        });
        for (const QCPGraphData* p : picks) {
            if (p)
                out.append(*p);
        }
    }
}

} // namespace cachelens::ui
