#!/usr/bin/env bash
# What a program embedding the engine goes through: build only the libraries (CACHELENS_LIBS_ONLY, with Qt made
# unfindable), `cmake --install` them into a temporary prefix, build tests/packaging/consumer against that prefix
# only (shared, then static libraries) and a one-file program with pkg-config only, then run the consumer on the
# memory provider and on a real redis-server, and check the keys it wrote there.
# usage: check-consumer.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
rm -rf "$work" && mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix
fail() { echo "FAIL: $*"; exit 1; }
run() {   # run LOG COMMAND…: quiet unless it fails
  local log=$1; shift
  "$@" >"$log" 2>&1 || { cat "$log"; fail "$*"; }
}
generator=(); command -v ninja >/dev/null && generator=(-G Ninja)

echo "== the libraries alone, installed into $prefix"
run "$work/libs-configure.log" cmake -S "$src" -B "$work/libs" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug \
  -DCACHELENS_LIBS_ONLY=ON -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_INSTALL_PREFIX="$prefix"
run "$work/libs-build.log" cmake --build "$work/libs" -j 2
run "$work/libs-install.log" cmake --install "$work/libs"
for f in include/cachelens/cache.h include/cachelens/redis.h include/cachelens/version.h \
         lib/libcachelens_engine.a lib/libcachelens_engine.so lib/libcachelens_redis.a lib/libcachelens_redis.so \
         lib/cmake/CacheLens/CacheLensConfig.cmake lib/pkgconfig/cachelens-engine.pc lib/pkgconfig/cachelens-redis.pc; do
  [ -e "$prefix/$f" ] || fail "the install lacks $f"
done
if ls "$prefix/include/cachelens" | grep -qvE '^[a-z_]+\.h$'; then fail "unexpected files in include/cachelens"; fi
for so in "$prefix"/lib/libcachelens_*.so; do
  if readelf -d "$so" | grep NEEDED | grep -iE 'Qt|icu|sqlite|keychain|dbus'; then fail "$(basename "$so") links Qt or its dependencies"; fi
done

echo "== catalog-service, built with find_package(CacheLens) against the prefix only"
isolated=(-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
run "$work/consumer-configure.log" cmake -S "$src/tests/packaging/consumer" -B "$work/consumer" "${generator[@]}" "${isolated[@]}"
grep -qx "CacheLens_DIR:PATH=$prefix/lib/cmake/CacheLens" "$work/consumer/CMakeCache.txt" || fail "CacheLens was not found in the prefix"
run "$work/consumer-build.log" cmake --build "$work/consumer"
service=$work/consumer/catalog-service
readelf -d "$service" | grep -q 'NEEDED.*libcachelens_redis.so' || fail "the consumer does not use the shared libraries"
run "$work/consumer-static-configure.log" cmake -S "$src/tests/packaging/consumer" -B "$work/consumer-static" \
  "${generator[@]}" "${isolated[@]}" -DCACHELENS_USE_STATIC_LIBS=ON
run "$work/consumer-static-build.log" cmake --build "$work/consumer-static"
if readelf -d "$work/consumer-static/catalog-service" | grep -q 'NEEDED.*libcachelens'; then fail "the static consumer needs a shared CacheLens"; fi

expect_run() {   # expect_run NAME ENV… : catalog-service succeeds
  local name=$1; shift
  env -i PATH="$PATH" "$@" "$service" >"$work/$name.out" 2>&1 || { cat "$work/$name.out"; fail "catalog-service on $name"; }
  grep -q 'catalog-service: all good' "$work/$name.out" || { cat "$work/$name.out"; fail "catalog-service on $name"; }
  echo "   $name: $(grep -m1 '^provider' "$work/$name.out")"
}
expect_run memory CACHE_PROVIDER=memory CACHE_KEY_PREFIX=shop: CACHE_MEMORY_SIZE=16mb
grep -q 'memory bound 16777216 bytes' "$work/memory.out" || fail "CACHE_MEMORY_SIZE was not applied"
expect_run disabled CACHE_ENABLED=false CACHE_KEY_PREFIX=shop:
grep -q 'disabled' "$work/disabled.out" || fail "CACHE_ENABLED=false was not applied"
env -i PATH="$PATH" CACHE_KEY_PREFIX=shop: "$work/consumer-static/catalog-service" >"$work/static.out" 2>&1 \
  || { cat "$work/static.out"; fail "the statically linked catalog-service"; }
if env -i PATH="$PATH" CACHE_PROVIDER=redis "$service" >"$work/no-url.out" 2>&1; then fail "CACHE_PROVIDER=redis without REDIS_URL ran"; fi
grep -q 'REDIS_URL' "$work/no-url.out" || { cat "$work/no-url.out"; fail "the refusal does not name REDIS_URL"; }

echo "== catalog-service on a real redis-server"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
for attempt in $(seq 1 20); do   # a free loopback port: retry on a clash
  port=$((20000 + RANDOM % 30000))
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
  pid=$!
  for i in $(seq 1 50); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break 2
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=
done
[ -n "$pid" ] || { cat "$work/redis.log"; fail "no redis-server started"; }
expect_run redis CACHE_PROVIDER=redis REDIS_URL="redis://127.0.0.1:$port/3" CACHE_KEY_PREFIX=shop:
grep -q '^provider redis' "$work/redis.out" || fail "CACHE_PROVIDER=redis did not run on Redis"
cli() { redis-cli -p "$port" -n 3 "$@"; }
keys=$(cli --scan | sort)
echo "$keys" | sed 's/^/   key /'
has() { grep -qx "$1" <<<"$keys" || fail "Redis lacks $1"; }
lacks() { if grep -qx "$1" <<<"$keys"; then fail "Redis still has $1"; fi; }
has shop:product:3; has shop:product:13; has shop:product:404; has shop:price:1
lacks shop:product:1; lacks shop:product:2                # invalidated with tag 'kitchen'
has shop:tag:catalogue
grep -qx 'shop:product:3' <<<"$(cli smembers shop:tag:catalogue)" || fail "tag set 'catalogue' lacks product 3"
limiter=$(grep '^shop:ratelimit:user:42:' <<<"$keys") || fail "no rate limit counter in Redis"
[ "$(cli getrange "$limiter" 16 -1)" = 5 ] || fail "the rate limit counter is not 5"   # after the 16-byte header
if grep -v '^shop:' <<<"$keys"; then fail "keys outside the prefix shop:"; fi
ttl=$(cli pttl shop:product:3)
[ "$ttl" -gt 590000 ] && [ "$ttl" -le 600000 ] || fail "product 3 has PTTL $ttl, not its namespace's 10 min"
notfound=$(cli pttl shop:product:404)
[ "$notfound" -gt 0 ] && [ "$notfound" -le 30000 ] || fail "the not-found marker has PTTL $notfound, not 30 s"

echo "== a program built with pkg-config only"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs cachelens-redis) || fail "pkg-config cachelens-redis"
pkg-config --exists --print-errors "cachelens-engine = $(pkg-config --modversion cachelens-redis)" || fail "versions differ"
pkg-config --static --libs cachelens-redis >/dev/null || fail "pkg-config --static cachelens-redis"
# shellcheck disable=SC2086
run "$work/pkgconfig-build.log" c++ -std=c++20 -Wall -Wextra -Werror "$src/tests/packaging/pkgconfig-check.cpp" $flags -o "$work/pc-check"
LD_LIBRARY_PATH=$prefix/lib "$work/pc-check" || fail "the pkg-config build does not run"
echo "PASS: installed libraries, find_package and pkg-config consumers, memory and redis"
