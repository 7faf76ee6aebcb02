// Built by check-consumer.sh with `pkg-config --cflags --libs cachelens-redis` only: the pkg-config files name
// everything a program needs to compile and link against the installed libraries.
#include <cachelens/cache.h>
#include <cachelens/redis.h>
#include <cachelens/version.h>

#include <cstdio>

int main()
{
    cachelens::provider::registerRedisProvider();
    cachelens::engine::Cache cache({.keyPrefix = "pc:", .backgroundThread = false});
    if (!cache.set("k", "v").ok() || cache.get("k").value() != "v") return 1;
    std::printf("pkg-config build of CacheLens %s works\n", CACHELENS_VERSION_STRING);
    return 0;
}
