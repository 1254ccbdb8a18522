// Command strata-controlplane runs Strata's control plane: the REST API
// over the desired state, its store, and the reconcile loops that turn
// tenants into running storage nodes.
//
//	strata-controlplane serve     run the control plane
//	strata-controlplane stop      stop a control plane (and, with --nodes, its storage nodes)
//	strata-controlplane tenant-env print the S3 environment of a tenant
//	strata-controlplane token     create, list and revoke API tokens
//	strata-controlplane version   print the version
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `strata-controlplane runs Strata's control plane.

Usage:
  strata-controlplane serve [flags]     run the API and the reconcile loops
  strata-controlplane stop [flags]      stop a running control plane
  strata-controlplane tenant-env NAME   print the AWS_* environment that reaches a tenant
  strata-controlplane token COMMAND     create, list and delete API tokens (admin, reader)
  strata-controlplane version           print the version

Run "strata-controlplane <command> -h" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:])
	case "stop":
		return stop(args[1:])
	case "tenant-env":
		return tenantEnv(args[1:])
	case "token":
		return token(args[1:])
	case "version", "--version":
		fmt.Println("strata-controlplane", version)
		return 0
	case "help", "-h", "--help":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "strata-controlplane: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
