#!/usr/bin/env bash
# tools.sh: builds the OpenTofu CLI that the provider's acceptance tests run
# besides Terraform, caches it outside the repository, and prints its path on
# standard output (progress goes to standard error).
#
# OpenTofu is not packaged by Debian, so it is built from its Go module
# through the Go module proxy: the module source is copied into a writable
# temporary directory, `go build ./cmd/tofu` runs there (its go.mod only
# replaces hcl with another published module), `tofu version` is checked,
# and the binary is moved into the cache in one rename. When the binary is
# cached, the script only prints its path. Concurrent runs wait on a lock
# instead of building twice.
#
# Environment: XDG_CACHE_HOME (default ~/.cache) chooses the cache root; the
# binary lands in $XDG_CACHE_HOME/strata/tofu-<version>/tofu.
set -euo pipefail
shopt -s inherit_errexit

# tofu_version is the pinned OpenTofu release.
tofu_version=1.12.6
tofu_module=github.com/opentofu/opentofu

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/strata"
tofu_dir="$cache_root/tofu-$tofu_version"
tofu_bin="$tofu_dir/tofu"

log() { echo "tools: $*" >&2; }

# cached reports whether a working tofu of the pinned version is in the cache.
cached() {
  [ -x "$tofu_bin" ] && check_version "$tofu_bin" 2>/dev/null
}

# check_version fails unless the binary $1 reports the pinned version. The
# version line is looked for among the output, since OpenTofu first prints
# any complaints about the CLI configuration.
check_version() {
  local out
  out=$("$1" version 2>&1)
  if ! grep -qx "OpenTofu v$tofu_version" <<<"$out"; then
    echo "tools: $1 version does not say OpenTofu v$tofu_version; it says:" >&2
    echo "$out" >&2
    return 1
  fi
}

# module_dir downloads the OpenTofu module and prints its read-only source
# directory in the module cache. It runs outside any Go module or workspace,
# so that no go.mod or go.sum is touched.
module_dir() {
  local info dir
  if ! info=$(cd "$work" &&
    GOWORK=off GOFLAGS= go mod download -json "$tofu_module@v$tofu_version" 2>&1); then
    log "go mod download $tofu_module@v$tofu_version failed:"
    echo "$info" >&2
    return 1
  fi
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
  if [ -z "$dir" ] || [ ! -f "$dir/go.mod" ]; then
    log "go mod download $tofu_module@v$tofu_version gave no source directory:"
    echo "$info" >&2
    return 1
  fi
  echo "$dir"
}

# work and partial are removed when the script ends, however it ends.
work=""
partial=""
cleanup() {
  if [ -n "$work" ]; then chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; fi
  if [ -n "$partial" ]; then rm -f "$partial"; fi
}
trap cleanup EXIT

# build compiles tofu from a writable copy of the module into $1.
build() {
  local out=$1 src
  work=$(mktemp -d "${TMPDIR:-/tmp}/strata-tofu-src.XXXXXX")
  src=$(module_dir)
  cp -R "$src/." "$work/"
  chmod -R u+w "$work"
  log "building OpenTofu v$tofu_version from $src (a few minutes)"
  cd "$work"
  CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$out" ./cmd/tofu
  cd - >/dev/null
}

# install builds tofu next to its final place, checks it, and renames it in,
# so that the cache never holds a partial binary.
install() {
  mkdir -p "$tofu_dir"
  partial="$(cd "$tofu_dir" && pwd)/.tofu.$$"
  build "$partial"
  check_version "$partial"
  mv -f "$partial" "$tofu_bin"
  partial=""
  log "cached $tofu_bin"
}

if ! cached; then
  mkdir -p "$cache_root"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache_root/tofu-$tofu_version.lock"
    flock 9
  fi
  if ! cached; then
    install
  fi
fi
echo "$tofu_bin"
