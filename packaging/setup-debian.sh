#!/usr/bin/env bash
# Installs the Debian 12 packages CacheLens needs to build, run, test and package.
# Idempotent: packages already present are left alone; only Debian's archive is used.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # Qt 6 Widgets, SVG icons, charts
  qt6-base-dev qt6-base-dev-tools libqt6svg6 qt6-svg-dev libgl-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  # connectors
  libhiredis-dev libsqlite3-dev qtkeychain-qt6-dev libzstd-dev libssl-dev
  # real servers for tests
  redis-server redis-tools
  # TLS test certificates (the Redis fixture makes a throw-away CA with the openssl CLI)
  openssl
  # a real Secret Service (keychain) for the profile-secret tests, run in a private D-Bus session
  gnome-keyring libsecret-1-0 dbus-daemon
  # benchmarks, headless GUI, packaging checks
  libbenchmark-dev xvfb xauth fonts-dejavu-core dpkg-dev file appstream desktop-file-utils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} required Debian packages are already installed."
  exit 0
fi

echo "setup: installing ${#missing[@]} missing Debian package(s): ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: not root and no sudo; install these packages as root: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done."
