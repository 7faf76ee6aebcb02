#include "policy/policy.h"

#include "policy/lru.h"
#include "policy/s3fifo.h"
#include "policy/sieve.h"
#include "policy/wtinylfu.h"

namespace cachelens::engine {

const char* policyName(PolicyKind kind) noexcept
{
    switch (kind) {
    case PolicyKind::Lru: return "lru";
    case PolicyKind::WTinyLfu: return "wtinylfu";
    case PolicyKind::S3Fifo: return "s3fifo";
    case PolicyKind::Sieve: return "sieve";
    }
    return "?";
}

bool parsePolicy(std::string_view name, PolicyKind& out) noexcept
{
    if (name == "lru") out = PolicyKind::Lru;
    else if (name == "wtinylfu" || name == "w-tinylfu" || name == "tinylfu") out = PolicyKind::WTinyLfu;
    else if (name == "s3fifo" || name == "s3-fifo") out = PolicyKind::S3Fifo;
    else if (name == "sieve") out = PolicyKind::Sieve;
    else return false;
    return true;
}

std::unique_ptr<EvictionPolicy> makePolicy(PolicyKind kind, std::size_t capacityHint, const PolicyTuning& tuning)
{
    switch (kind) {
    case PolicyKind::Lru: return std::make_unique<LruPolicy>();
    case PolicyKind::WTinyLfu: return std::make_unique<WTinyLfuPolicy>(capacityHint, tuning);
    case PolicyKind::S3Fifo: return std::make_unique<S3FifoPolicy>();
    case PolicyKind::Sieve: return std::make_unique<SievePolicy>();
    }
    return std::make_unique<LruPolicy>();
}

} // namespace cachelens::engine
