#!/usr/bin/env bash
# make test: every stage of the test ladder, each timed. Fails on any
# failed or skipped test, on unformatted code, and on vet findings.
set -euo pipefail
cd "$(dirname "$0")/.."

export TF_ACC=1
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
TERRAFORM="$(command -v terraform || true)"
if [ -z "$TERRAFORM" ]; then
  echo "make test: the Terraform CLI is not on PATH; install Terraform 1.11 or later" >&2
  exit 1
fi
export TF_ACC_TERRAFORM_PATH="$TERRAFORM"

stage() {
  local name=$1; shift
  local start=$SECONDS
  echo "==> $name"
  "$@"
  echo "<== $name took $((SECONDS - start))s"
}

check_format() {
  local bad
  bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
  if [ -n "$bad" ]; then
    echo "gofmt would change these files; run gofmt -w:" >&2
    echo "$bad" >&2
    return 1
  fi
}

run_tests() {
  go build -o bin/testreport ./internal/cmd/testreport
  set +e
  go test -json -count=1 -timeout 40m ./... 2>&1 | bin/testreport
  local rc=${PIPESTATUS[1]}
  set -e
  return "$rc"
}

run_fuzz() {
  local pkg target
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
      echo "fuzz $pkg $target"
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-5s}" "$pkg" >/dev/null
    done
  done
}

total=$SECONDS
stage "gofmt" check_format
stage "go vet" go vet ./...
stage "provider docs are current" ./scripts/check-docs.sh
stage "unit, integration and acceptance tests" run_tests
stage "fuzz targets" run_fuzz
echo "make test passed in $((SECONDS - total))s"
