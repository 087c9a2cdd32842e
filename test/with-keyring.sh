#!/bin/sh
# Runs a command inside a private D-Bus session with GNOME Keyring's Secret Service started and
# unlocked, backed by a throwaway keyring folder (never the user's own login keyring).
#
#   test/with-keyring.sh npx vitest run test/main/secrets
#
# Needs the Debian packages dbus-daemon (dbus-run-session), gnome-keyring and libsecret-1-0
# (keytar's runtime library). Exits with the command's status.
set -eu

if [ "${SITEFLASH_KEYRING_SESSION:-}" != "1" ]; then
  for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "with-keyring.sh: $tool not found; install the Debian packages dbus-daemon and gnome-keyring." >&2
      exit 127
    fi
  done
  SITEFLASH_KEYRING_SESSION=1 exec dbus-run-session -- "$0" "$@"
fi

keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/siteflash-keyring.XXXXXX")
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$keyring_home"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --unlock reads the password on stdin and creates the login keyring with it if there is none.
# --foreground keeps the daemon our child, so we know its pid and stop exactly it at the end.
printf 'siteflash-test' | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --foreground --unlock --components=secrets >"$keyring_home/env" 2>"$keyring_home/log" &
daemon_pid=$!
tries=0
until grep -q '^GNOME_KEYRING_CONTROL=' "$keyring_home/env" 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -gt 50 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
    echo "with-keyring.sh: gnome-keyring-daemon did not start:" >&2
    cat "$keyring_home/log" >&2
    exit 1
  fi
  sleep 0.1
done
eval "$(cat "$keyring_home/env")"
export GNOME_KEYRING_CONTROL

status=0
"$@" || status=$?
exit "$status"
