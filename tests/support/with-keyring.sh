#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a real, unlocked GNOME Keyring (Secret Service), so keychain
# tests exercise the same path a desktop user's CacheLens does. Nothing touches the user's own keyring.
# usage: with-keyring.sh COMMAND [ARGS…]
set -euo pipefail
export HOME_FOR_KEYRING
HOME_FOR_KEYRING=$(mktemp -d)
trap 'rm -rf "$HOME_FOR_KEYRING"' EXIT
exec dbus-run-session -- bash -c '
  export XDG_DATA_HOME="$HOME_FOR_KEYRING/data" XDG_RUNTIME_DIR="$HOME_FOR_KEYRING/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  eval "$(printf "test-password" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  "$@"
' with-keyring "$@"
