//go:build tools

// Package tools pins the versions of the programs that Strata's build runs
// but does not link: tfplugindocs, which writes docs/ from the provider's
// schema, templates/ and examples/. Run them with
// `go run -modfile=tools/go.mod <package>` from the repository's root, so
// that the pinned version is used and the main module's go.mod stays free of
// them.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
