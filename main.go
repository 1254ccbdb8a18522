// Command terraform-provider-strata is Strata's Terraform provider: it serves
// the provider in package provider over plugin protocol 6. Terraform starts
// it; run it by hand only with -debug, to attach a debugger.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/strata-storage/strata/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	debug := flag.Bool("debug", false, "serve the provider for a debugger such as delve, "+
		"and print the TF_REATTACH_PROVIDERS value to use")
	flag.Parse()

	if !*debug { // run by hand, its logs go to the terminal, not to Terraform
		skipUnreadLogs()
	}
	collectLessOften()
	opts := providerserver.ServeOpts{
		Address:         provider.Address,
		Debug:           *debug,
		ProtocolVersion: 6,
	}
	if err := providerserver.Serve(context.Background(), provider.New(version), opts); err != nil {
		fmt.Fprintf(os.Stderr, "terraform-provider-strata: %v\n", err)
		os.Exit(1)
	}
}

// skipUnreadLogs turns off the plugin SDK's logs when Terraform would drop
// them unread: writing and parsing them cost CPU on both sides.
func skipUnreadLogs() {
	for name, value := range provider.UnreadLogLevels(os.Getenv) {
		_ = os.Setenv(name, value)
	}
}

// gcPercent is the garbage collector's target when GOGC is not set.
const gcPercent = 400

// collectLessOften raises the garbage collector's target unless GOGC sets
// it. The plugin lives for one Terraform command and keeps a small heap,
// while the framework allocates much per request: collecting less often
// saved a quarter of its CPU time in a plan of 200 buckets.
func collectLessOften() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
