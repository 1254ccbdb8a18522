#!/usr/bin/env bash
# Checks that docs/ is what tfplugindocs generates from the provider's schema,
# templates/ and examples/; fails, showing the difference, when it is stale.
#
#   scripts/check-docs.sh           regenerate into a temporary directory and compare
#   scripts/check-docs.sh --write   regenerate docs/ in place (what `make docs` runs)
#
# tfplugindocs is the version pinned in tools/go.mod. It builds the provider,
# installs it in a temporary plugin directory, and reads its schema with the
# `terraform` on PATH (`terraform init -plugin-dir`, then
# `terraform providers schema -json`), so nothing is downloaded but Go modules.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=check
case "${1:-}" in
  "") ;;
  --write) mode=write ;;
  *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac

if ! command -v terraform >/dev/null; then
  echo "check-docs: the Terraform CLI is not on PATH; tfplugindocs needs it to read" \
    "the provider's schema (and would otherwise try to download it). Install" \
    "Terraform 1.11 or later." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A CLI configuration of its own, so that a user's provider_installation or
# dev_overrides cannot change what `terraform init` does, and no version check.
: >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

# generate DIR renders the docs into DIR, a path relative to the repository.
generate() {
  go -C tools run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate \
    --provider-dir "$root" \
    --provider-name strata \
    --rendered-provider-name Strata \
    --rendered-website-dir "$1" \
    --website-temp-dir "$work/tfws" \
    >"$work/tfplugindocs.log" 2>&1 || {
    cat "$work/tfplugindocs.log" >&2
    echo "check-docs: tfplugindocs failed (its output is above)" >&2
    return 1
  }
}

# undescribed lists schema attributes that have no description, which
# tfplugindocs renders as a bare "- `name` (Type)".
undescribed() {
  grep -rnE '^- `[a-z0-9_]+` \([^)]*\)$' "$1" || true
}

if [ "$mode" = write ]; then
  generate docs
  echo "check-docs: regenerated docs/"
  exit 0
fi

generate "$(realpath --relative-to="$root" "$work/docs")"
missing="$(undescribed "$work/docs")"
if [ -n "$missing" ]; then
  echo "check-docs: these attributes have no Description in the provider's schema:" >&2
  echo "$missing" | sed "s|$work/||" >&2
  exit 1
fi
if ! diff -ru docs "$work/docs" >"$work/docs.diff"; then
  echo "check-docs: docs/ is out of date with the provider's schema, templates/ or" \
    "examples/. Run 'make docs' and commit docs/. The difference (- committed," \
    "+ generated):" >&2
  sed "s|$work/docs|generated|g" "$work/docs.diff" | head -n 200 >&2
  exit 1
fi
echo "check-docs: docs/ is up to date"
