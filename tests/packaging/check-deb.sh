#!/usr/bin/env bash
# Builds the .debs with cpack from this build tree and checks what a user installs. cachelens: files, dependencies,
# desktop entry, AppStream metadata, and that the packaged binaries run. libcachelens-dev: headers, static and shared
# libraries without Qt, the CMake package and the pkg-config files.
# usage: check-deb.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$1
out=$2
rm -rf "$out" && mkdir -p "$out"
cd "$build"
cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/cachelens_*.deb)
echo "package: $deb"
fail() { echo "FAIL: $*"; exit 1; }

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/cachelens ./usr/bin/cachelensctl \
         ./usr/share/applications/io.cachelens.CacheLens.desktop \
         ./usr/share/metainfo/io.cachelens.CacheLens.metainfo.xml \
         ./usr/share/icons/hicolor/scalable/apps/io.cachelens.CacheLens.svg; do
  grep -q " $f\$" <<<"$contents" || fail "package lacks $f"
done
if grep -qE ' \./usr/(include|lib/.*\.a$)|cachelens-bench|tst_' <<<"$contents"; then
  fail "package ships build-only files: $(grep -E 'include|\.a$|bench|tst_' <<<"$contents" | head -3)"
fi

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
has_dep() { tr ',|' '\n\n' <<<"$depends" | awk '{print $1}' | grep -qxF "$1"; }
# Loaded at run time, never linked: the platform plugins and the SVG icon engine.
for d in qt6-qpa-plugins libqt6svg6; do has_dep "$d" || fail "Depends lacks $d"; done
[ "$(dpkg-deb -f "$deb" Package)" = cachelens ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] || fail "architecture"

x=$out/root
dpkg-deb -x "$deb" "$x"
desktop-file-validate "$x/usr/share/applications/io.cachelens.CacheLens.desktop" || fail "desktop entry invalid"
appstreamcli validate --no-net --explain "$x/usr/share/metainfo/io.cachelens.CacheLens.metainfo.xml" \
  || fail "AppStream metainfo rejected"
grep -q '<svg' "$x/usr/share/icons/hicolor/scalable/apps/io.cachelens.CacheLens.svg" || fail "icon is not SVG"
# Every library the binaries link directly must come from a package named in Depends.
owner() {   # the Debian package that ships a shared library, by soname
  local path real
  path=$(ldconfig -p | awk -v l="$1" '$1==l {print $NF; exit}')
  [ -n "$path" ] || return 1
  real=$(readlink -f "$path")
  for p in "$path" "$real" "${path#/usr}" "${real#/usr}" "/usr${path}" "/usr${real}"; do
    dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1 && return 0
  done
  return 1
}
for bin in "$x/usr/bin/cachelens" "$x/usr/bin/cachelensctl"; do
  for lib in $(objdump -p "$bin" | awk '/NEEDED/ {print $2}'); do
    pkg=$(owner "$lib") || fail "cannot tell which package ships $lib"
    has_dep "$pkg" || fail "$(basename "$bin") links $lib from $pkg, which Depends lacks"
  done
done
"$x/usr/bin/cachelens" --version | grep -q '^cachelens ' || fail "packaged cachelens --version"
"$x/usr/bin/cachelensctl" --version | grep -q '^cachelensctl ' || fail "packaged cachelensctl --version"
file "$x/usr/bin/cachelens" | grep -q 'stripped' || fail "binaries not stripped"
# Every dependency must be satisfiable on this system (what `dpkg -i` would check).
dpkg --dry-run -i "$deb" >/dev/null || fail "dpkg would refuse to install it"
echo "PASS: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

dev=$(ls "$out"/libcachelens-dev_*.deb)
echo "package: $dev"
[ "$(dpkg-deb -f "$dev" Package)" = libcachelens-dev ] || fail "dev package name"
[ "$(dpkg-deb -f "$dev" Version)" = "$(dpkg-deb -f "$deb" Version)" ] || fail "the two packages' versions differ"
devdepends=$(dpkg-deb -f "$dev" Depends)
echo "Depends: $devdepends"
for d in libzstd-dev libhiredis-dev libssl-dev libzstd1 libhiredis0.14 libssl3; do
  tr ',|' '\n\n' <<<"$devdepends" | awk '{print $1}' | grep -qxF "$d" || fail "libcachelens-dev Depends lacks $d"
done
dx=$out/dev-root
dpkg-deb -x "$dev" "$dx"
libdir=$(cd "$dx" && dirname "$(find usr/lib -name libcachelens_engine.a)")
[ -n "$libdir" ] && [ "$libdir" != . ] || fail "libcachelens-dev lacks libcachelens_engine.a"
for f in usr/include/cachelens/cache.h usr/include/cachelens/config.h usr/include/cachelens/key_builder.h \
         usr/include/cachelens/rate_limiter.h usr/include/cachelens/redis.h usr/include/cachelens/version.h \
         "$libdir"/libcachelens_engine.a "$libdir"/libcachelens_redis.a \
         "$libdir"/libcachelens_engine.so "$libdir"/libcachelens_redis.so \
         "$libdir"/cmake/CacheLens/CacheLensConfig.cmake "$libdir"/cmake/CacheLens/CacheLensConfigVersion.cmake \
         "$libdir"/cmake/CacheLens/CacheLensEngineTargets.cmake "$libdir"/cmake/CacheLens/CacheLensRedisTargets.cmake \
         "$libdir"/pkgconfig/cachelens-engine.pc "$libdir"/pkgconfig/cachelens-redis.pc; do
  [ -e "$dx/$f" ] || fail "libcachelens-dev lacks /$f"
done
# Only the public headers: the engine's internals (store, epoch, table…) and the provider's stay out.
for f in store.h epoch.h table.h single_flight.h task_queue.h provider.h RedisProvider.h BlockingRedis.h; do
  if find "$dx/usr/include" -name "$f" | grep -q .; then fail "libcachelens-dev ships the private header $f"; fi
done
if find "$dx" -path '*/bin/*' | grep -q .; then fail "libcachelens-dev ships programs"; fi
for so in "$dx/$libdir"/libcachelens_engine.so "$dx/$libdir"/libcachelens_redis.so; do
  needed=$(readelf -d "$so" | awk '/NEEDED/ {print $NF}')
  if grep -iE 'qt|icu|sqlite|keychain|dbus' <<<"$needed"; then fail "$(basename "$so") links Qt or its dependencies"; fi
done
readelf -d "$dx/$libdir/libcachelens_engine.so" | grep -q 'SONAME.*libcachelens_engine.so.0' || fail "engine SONAME"
# The pkg-config files are relocatable: read from the unpacked tree they point into it.
export PKG_CONFIG_PATH=$dx/$libdir/pkgconfig
[ "$(pkg-config --variable=includedir cachelens-redis)" -ef "$dx/usr/include" ] || fail "cachelens-redis.pc includedir"
[ "$(pkg-config --modversion cachelens-engine)" = "$(dpkg-deb -f "$dev" Version)" ] || fail "cachelens-engine.pc version"
dpkg --dry-run -i "$dev" >/dev/null || fail "dpkg would refuse to install libcachelens-dev"
echo "PASS: $(basename "$dev") ($(du -h "$dev" | cut -f1))"
