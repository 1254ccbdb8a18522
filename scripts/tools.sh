#!/usr/bin/env bash
# tools.sh: builds a tool that the tests run, caches it outside the
# repository, and prints its path on standard output (progress goes to
# standard error).
#
#   scripts/tools.sh [tofu]          the OpenTofu CLI, run by the provider's
#                                    acceptance tests besides Terraform
#   scripts/tools.sh kube-apiserver  the Kubernetes API server, run by the
#                                    tests that read Secrets (internal/testkube)
#
# Neither is packaged by Debian, so each is built from its Go module through
# the Go module proxy: the module source is copied into a writable temporary
# directory, prepared if its go.mod needs it, built there, its version is
# checked, and the binary is moved into the cache in one rename. When the
# binary is cached, the script only prints its path. Concurrent runs wait on
# a lock instead of building twice.
#
# Environment: XDG_CACHE_HOME (default ~/.cache) chooses the cache root; the
# binary lands in $XDG_CACHE_HOME/strata/<tool>-<version>/<tool>. Go's own
# build cache follows XDG_CACHE_HOME too unless GOCACHE is set, so a new
# XDG_CACHE_HOME also means compiling every package again.
set -euo pipefail
shopt -s inherit_errexit

log() { echo "tools: $*" >&2; }

# Each tool sets: version (pinned), module, pkg (the main package), want
# (the line its version output must hold), version_args, goflags, ldflags,
# prepare (a function run in the writable copy before the build) and about
# (how long the build takes, for the progress line).

# tool_tofu: OpenTofu. Its go.mod only replaces hcl with another published
# module, so the copy builds as it is, with go.sum enforced.
tool_tofu() {
  version=1.12.6
  module=github.com/opentofu/opentofu
  pkg=./cmd/tofu
  want="OpenTofu v$version"
  version_args=(version)
  goflags=-mod=readonly
  ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
  prepare=true
  about="a few minutes"
}

# tool_kube_apiserver: the Kubernetes API server. Its version is the one
# the build scripts of Kubernetes stamp in with -X; without it the binary
# says v0.0.0-master.
tool_kube_apiserver() {
  version=1.36.3
  module=k8s.io/kubernetes
  pkg=./cmd/kube-apiserver
  want="Kubernetes v$version"
  version_args=(--version)
  goflags=-mod=mod
  local v=k8s.io/component-base/version
  ldflags="-s -w -X $v.gitVersion=v$version -X $v.gitMajor=${version%%.*}"
  ldflags+=" -X $v.gitMinor=$(cut -d. -f2 <<<"$version") -X $v.gitTreeState=clean"
  prepare=unstage_kubernetes
  about="about four minutes on 2 cores"
}

# unstage_kubernetes points the go.mod of k8s.io/kubernetes, in the current
# directory, at the published staging modules. It replaces each k8s.io/<m>
# with ./staging/src/k8s.io/<m>, which the module zip leaves out (nested
# modules are stripped); each is published as v0.<minor>.<patch>.
unstage_kubernetes() {
  local staged m
  staged=$(sed -n 's|^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/src/.*$|\1|p' go.mod)
  if [ -z "$staged" ]; then
    log "the go.mod of $module@v$version replaces no staging module; the recipe is out of date"
    return 1
  fi
  for m in $staged; do
    GOWORK=off GOFLAGS= go mod edit -dropreplace "$m" -require "$m@v0.${version#*.}"
  done
}

# cached reports whether a working binary of the pinned version is in the cache.
cached() {
  [ -x "$bin" ] && check_version "$bin" 2>/dev/null
}

# check_version fails unless the binary $1 reports the pinned version. The
# version line is looked for among the output, since OpenTofu first prints
# any complaints about the CLI configuration.
check_version() {
  local out
  out=$("$1" "${version_args[@]}" 2>&1)
  if ! grep -qx "$want" <<<"$out"; then
    echo "tools: $1 ${version_args[*]} does not say $want; it says:" >&2
    echo "$out" >&2
    return 1
  fi
}

# module_dir downloads the module and prints its read-only source directory
# in the module cache. It runs outside any Go module or workspace, so that
# no go.mod or go.sum is touched.
module_dir() {
  local info dir
  if ! info=$(cd "$work" &&
    GOWORK=off GOFLAGS= go mod download -json "$module@v$version" 2>&1); then
    log "go mod download $module@v$version failed:"
    echo "$info" >&2
    return 1
  fi
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
  if [ -z "$dir" ] || [ ! -f "$dir/go.mod" ]; then
    log "go mod download $module@v$version gave no source directory:"
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

# build compiles the tool from a writable copy of its module into $1. The
# copy's own go.work, if any, is ignored (GOWORK=off).
build() {
  local out=$1 src
  work=$(mktemp -d "${TMPDIR:-/tmp}/strata-$tool-src.XXXXXX")
  src=$(module_dir)
  cp -R "$src/." "$work/"
  chmod -R u+w "$work"
  log "building $tool v$version from $src ($about)"
  cd "$work"
  "$prepare"
  CGO_ENABLED=0 GOWORK=off GOFLAGS="$goflags" go build -trimpath -buildvcs=false \
    -ldflags "$ldflags" -o "$out" "$pkg"
  cd - >/dev/null
}

# install builds the tool next to its final place, checks it, and renames
# it in, so that the cache never holds a partial binary.
install() {
  mkdir -p "$dir"
  partial="$(cd "$dir" && pwd)/.$tool.$$"
  build "$partial"
  check_version "$partial"
  mv -f "$partial" "$bin"
  partial=""
  log "cached $bin"
}

tool=${1:-tofu}
case "$tool" in
  tofu) tool_tofu ;;
  kube-apiserver) tool_kube_apiserver ;;
  *)
    log "unknown tool $tool; the tools are tofu and kube-apiserver"
    exit 2
    ;;
esac

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/strata"
dir="$cache_root/$tool-$version"
bin="$dir/$tool"

if ! cached; then
  mkdir -p "$cache_root"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache_root/$tool-$version.lock"
    flock 9
  fi
  if ! cached; then
    install
  fi
fi
echo "$bin"
