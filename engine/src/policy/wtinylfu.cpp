#include "policy/wtinylfu.h"

#include <algorithm>
#include <cmath>

#include "hash.h"

namespace cachelens::engine {

namespace {
constexpr std::uint8_t kWindow = 0, kProbation = 1, kProtected = 2;
} // namespace

WTinyLfuPolicy::WTinyLfuPolicy(std::size_t capacityHint, const PolicyTuning& tuning)
    : sketch_(capacityHint), tuning_(tuning), random_(keySeed() | 1)
{
}

bool WTinyLfuPolicy::admits(std::uint64_t candidateHash, std::uint64_t victimHash) noexcept
{
    const int candidate = sketch_.frequency(candidateHash);
    if (candidate > sketch_.frequency(victimHash)) return true;
    // Caffeine's defence: otherwise keys kept warm from outside hold main forever (a warm victim refuses every
    // candidate that is not warmer, ties included). A warm candidate still gets in 1 time in 128, a cost to the hit
    // rate too small to measure on bench_engine's traces. The generator starts from the per-process key seed, so
    // every policy of a process decides alike (the simulator's replay matches the store) and no two processes do.
    if (candidate < kAdmitWarm) return false;
    random_ ^= random_ << 13; // xorshift64: victim() runs under the shard mutex, so a plain member is enough
    random_ ^= random_ >> 7;
    random_ ^= random_ << 17;
    return (random_ & 127) == 0;
}

void WTinyLfuPolicy::setCapacity(std::size_t entries) noexcept
{
    capacity_ = entries;
    windowMax_ = std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(capacity()) * tuning_.windowFraction));
    windowPinned_ = capacity() <= 1 || !tuning_.adaptiveWindow;
}

std::size_t WTinyLfuPolicy::capacity() const noexcept
{
    if (capacity_) return capacity_;
    return std::max<std::size_t>(1, lists_[kWindow].size() + lists_[kProbation].size() + lists_[kProtected].size());
}

void WTinyLfuPolicy::onInsert(Entry* e, std::uint64_t hash)
{
    e->hot.store(0, std::memory_order_relaxed);
    // A get() miss already counted this access; count keys that arrive by set() alone once, so a write-only
    // workload is not frozen out by admission.
    sketch_.recordFirstSighting(hash);
    link(e, kWindow);
    // While main has room, the window's overflow moves there without a contest.
    const std::size_t cap = capacity();
    while (lists_[kWindow].size() > windowMax_
           && lists_[kProbation].size() + lists_[kProtected].size() + windowMax_ < cap) {
        Entry* t = lists_[kWindow].back();
        move(t, kProbation);
    }
}

void WTinyLfuPolicy::onHit(Entry* e, std::uint64_t hash) noexcept
{
    markHot(e);
    sketch_.increment(hash);
}

void WTinyLfuPolicy::onMiss(std::uint64_t hash) noexcept
{
    sketch_.increment(hash);
}

void WTinyLfuPolicy::balanceProtected() noexcept
{
    const std::size_t mainSize = lists_[kProbation].size() + lists_[kProtected].size();
    const std::size_t protectedMax = mainSize * 8 / 10;
    while (lists_[kProtected].size() > protectedMax) {
        Entry* t = lists_[kProtected].back();
        if (takeHot(t)) lists_[kProtected].moveToFront(t);
        else move(t, kProbation);
    }
}

Entry* WTinyLfuPolicy::mainVictim() noexcept
{
    for (;;) {
        if (lists_[kProbation].empty()) {
            if (lists_[kProtected].empty()) return nullptr;
            Entry* t = lists_[kProtected].back();
            t->hot.store(0, std::memory_order_relaxed);
            move(t, kProbation);
        }
        Entry* t = lists_[kProbation].back();
        if (!takeHot(t)) return t;
        move(t, kProtected); // hit while on probation: promote
        balanceProtected();
    }
}

Entry* WTinyLfuPolicy::victim() noexcept
{
    adapt();
    while (lists_[kWindow].size() > windowMax_) {
        Entry* candidate = lists_[kWindow].back();
        if (takeHot(candidate)) { // second chance inside the window
            lists_[kWindow].moveToFront(candidate);
            continue;
        }
        Entry* v = mainVictim();
        if (!v) return candidate;
        // TinyLFU admission: the candidate enters main only if it is more popular than main's victim (see admits()).
        if (admits(hashBytes(candidate->key()), hashBytes(v->key()))) {
            move(candidate, kProbation);
            return v;
        }
        return candidate;
    }
    if (Entry* v = mainVictim()) return v;
    while (Entry* t = lists_[kWindow].back()) {
        if (!takeHot(t)) return t;
        lists_[kWindow].moveToFront(t);
    }
    return nullptr;
}

void WTinyLfuPolicy::adapt() noexcept
{
    if (windowPinned_ || !stats_) return;
    const std::size_t cap = capacity();
    const std::uint64_t hits = stats_->lifetime(Counter::Hits);
    const std::uint64_t misses = stats_->lifetime(Counter::Misses);
    if (climbState_ == 0) {
        // First eviction: the cache just filled up. Samples start now, so warm-up (when any window "improves"
        // the hit rate) is not mistaken for a better window size.
        lastHits_ = hits;
        lastMisses_ = misses;
        climbState_ = 1;
        return;
    }
    const std::uint64_t dh = hits - lastHits_, dm = misses - lastMisses_;
    if (dh + dm < std::max<std::uint64_t>(500, kSamplePerEntry * cap)) return;
    lastHits_ = hits;
    lastMisses_ = misses;
    const double n = static_cast<double>(dh + dm);
    const double rate = static_cast<double>(dh) / n;
    const double delta = rate - previousHitRate_;
    previousHitRate_ = rate;
    if (climbState_ == 1) { // the first full sample is the reference, not a direction
        climbState_ = 2;
        return;
    }
    // Hill climbing as in Caffeine (keep moving while the hit rate improves, turn around when it drops, restart
    // with large steps when it jumps), with three changes, each for a failure seen on bench_engine's traces:
    //  - the first move is made in the initial direction whatever the first difference says: that difference
    //    compares the sample taken while the cache was filling with the one after, so its sign is the warm-up
    //    transient, not the window's effect (it sent the window the wrong way on both recency and Zipf traces);
    //  - a difference within two standard deviations of sampling noise (sqrt(2 p (1 - p) / n)) is not a
    //    direction: the climber keeps going the way it was going instead of turning around on noise. Without
    //    this the window random-walks on plateaus, e.g. 900–1000 of 1000 on the recency trace, where every
    //    entry of window lost costs LRU-like hits;
    //  - while the hit rate keeps improving the step grows by half (up to a quarter of the capacity), and
    //    a restart never shrinks a step that is already larger, so a long climb (1% → 100% window) takes a few
    //    samples instead of ten.
    const double noise = 2.0 * std::sqrt(2.0 * rate * (1.0 - rate) / n);
    const double restart = kRestartStep * static_cast<double>(cap);
    if (step_ == 0) step_ = restart;
    const bool first = climbState_ == 2;
    climbState_ = 3;
    const double amount = first || std::abs(delta) < noise ? step_ : delta >= 0 ? step_ : -step_;
    if (first) {
        // keep the initial step
    } else if (std::abs(delta) >= kRestartThreshold) {
        step_ = std::copysign(std::max(std::abs(amount), restart), amount);
    } else if (delta >= 0) {
        step_ = std::copysign(std::min(std::abs(amount) * kStepGrowth, kMaxStep * static_cast<double>(cap)), amount);
    } else {
        step_ = kStepDecay * amount;
    }
    const double w = std::clamp(static_cast<double>(windowMax_) + amount, 1.0, static_cast<double>(cap));
    windowMax_ = static_cast<std::size_t>(std::lround(w));
}

} // namespace cachelens::engine
