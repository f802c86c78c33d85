#!/usr/bin/env bash
# Installs the named Debian/Ubuntu packages that are missing, when this machine allows it
# (root, or sudo without a password). Otherwise prints the command for the user and carries on:
# tests that need a missing tool skip with its package name (except under CI=true).
set -u
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu system: install the equivalents of: ${missing[*]}"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Some system packages are missing; install them with:"
  echo "  sudo apt-get install ${missing[*]}"
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { [ "${CI:-}" = "true" ] && exit 1; }
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "apt-get install failed for: ${missing[*]}"
  [ "${CI:-}" = "true" ] && exit 1
fi
exit 0
