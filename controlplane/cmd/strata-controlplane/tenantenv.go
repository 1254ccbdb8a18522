package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/atomicfile"
	"github.com/strata-storage/strata/internal/shellenv"
)

const tenantEnvUsage = `Usage: strata-controlplane tenant-env [--ca-file FILE] TENANT

Prints the shell environment that points the AWS CLI and SDKs at a tenant:
AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_CA_BUNDLE and
AWS_REGION. The tenant's CA certificate is written to FILE. It reaches the
control plane through STRATA_ENDPOINT, STRATA_TOKEN and STRATA_CA_CERT.

  eval "$(strata-controlplane tenant-env demo)"

Flags:
`

func tenantEnv(args []string) int {
	fs := flag.NewFlagSet("tenant-env", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), tenantEnvUsage)
		fs.PrintDefaults()
	}
	caFile := fs.String("ca-file", "", "where to write the tenant's CA (default TENANT-ca.pem)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	name := fs.Arg(0)
	if *caFile == "" {
		*caFile = name + "-ca.pem"
	}
	text, err := tenantEnvText(name, *caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "strata-controlplane tenant-env:", err)
		return 1
	}
	fmt.Print(text)
	return 0
}

func tenantEnvText(name, caFile string) (string, error) {
	c, err := client.New(client.DefaultConfig())
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t, err := c.GetTenant(ctx, name)
	if err != nil {
		return "", err
	}
	creds := t.Status.RootCredentials
	if creds == nil || t.Status.Endpoint == "" {
		return "", fmt.Errorf("tenant %s has no endpoint yet: wait until it is Ready", name)
	}
	if err := atomicfile.Write(caFile, []byte(t.Status.CABundle), 0o644); err != nil {
		return "", err
	}
	return shellenv.Format("S3 environment of tenant "+name, []shellenv.Var{
		{Name: "AWS_ENDPOINT_URL", Value: t.Status.Endpoint},
		{Name: "AWS_ACCESS_KEY_ID", Value: creds.AccessKeyID},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: creds.SecretAccessKey},
		{Name: "AWS_CA_BUNDLE", Value: absPath(caFile)},
		{Name: "AWS_REGION", Value: t.Spec.Region},
	}), nil
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
