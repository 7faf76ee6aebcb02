#!/usr/bin/env bash
# Builds the .deb with cpack from this build tree and checks what a user installs: files, dependencies,
# desktop entry, AppStream metadata, and that the packaged binaries run.
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
