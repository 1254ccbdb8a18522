// Command terraform-provider-strata is Strata's Terraform provider: it serves
// the provider in package provider over plugin protocol 6. Terraform starts
// it; run it by hand only with -debug, to attach a debugger.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/strata-storage/strata/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	debug := flag.Bool("debug", false, "serve the provider for a debugger such as delve, "+
		"and print the TF_REATTACH_PROVIDERS value to use")
	flag.Parse()

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
