#!/usr/bin/env bash
# deps.sh: installs the tools that Strata's tests drive from outside Go: the
# AWS CLI, s3cmd and rclone, from Debian's packages (storaged/compat runs
# them against a real storaged). It is idempotent: when every package is
# installed it only says so, without touching the network, and it runs
# `apt-get update` only when something is missing. Run it as root (or with
# sudo available) on Debian or a derivative.
set -euo pipefail

packages=(awscli s3cmd rclone)

# installed reports whether the Debian package $1 is fully installed.
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${packages[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "deps: nothing to install; present: ${packages[*]}"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: apt-get not found; install these Debian packages by hand: ${missing[*]}" >&2
  exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "deps: run as root (or install sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  as_root=(sudo)
fi

echo "deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

for pkg in "${missing[@]}"; do
  if ! installed "$pkg"; then
    echo "deps: $pkg is still not installed after apt-get install" >&2
    exit 1
  fi
done
echo "deps: installed:"
dpkg-query -W -f='  ${Package} ${Version}\n' "${missing[@]}"
