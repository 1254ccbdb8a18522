package quickstart

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/atomicfile"
	"github.com/strata-storage/strata/internal/shellenv"
)

// EnvFileName is the environment file Up writes in the state directory.
const EnvFileName = "quickstart.env"

// writeEnv writes the shell environment that reaches the control plane and
// the tenant, mode 0600 since it holds secrets.
func writeEnv(cfg Config, cp *controlPlane, t tenant) (string, error) {
	vars := []shellenv.Var{
		{Name: client.EnvEndpoint, Value: cp.endpoint},
		{Name: client.EnvToken, Value: cp.token},
		{Name: client.EnvCACert, Value: cp.caFile},
		{Name: "AWS_ENDPOINT_URL", Value: t.endpoint},
		{Name: "AWS_ACCESS_KEY_ID", Value: t.accessKey},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: t.secretKey},
		{Name: "AWS_CA_BUNDLE", Value: t.caFile},
		{Name: "AWS_REGION", Value: t.region},
		{Name: "AWS_DEFAULT_REGION", Value: t.region}, // what AWS CLI v1 reads
		{Name: "STRATA_TENANT_CA", Value: t.caFile},
		// terraform in examples/quickstart then finds the provider without
		// terraform init, as the quickstart's own apply does.
		{Name: "TF_CLI_CONFIG_FILE", Value: filepath.Join(cfg.StateDir, "terraform.rc")},
	}
	path := filepath.Join(cfg.StateDir, EnvFileName)
	text := shellenv.Format("Written by make quickstart. Source it: . "+path, vars)
	return path, atomicfile.Write(path, []byte(text), 0o600)
}

// ReadEnv parses an environment file written by Up.
func ReadEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return shellenv.Parse(string(b)), nil
}

func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("quickstart: %w", err)
	}
	return b, nil
}

func printSummary(w io.Writer, r Result) {
	rel := r.EnvFile
	if wd, err := os.Getwd(); err == nil {
		if p, err := filepath.Rel(wd, r.EnvFile); err == nil && !strings.HasPrefix(p, "..") {
			rel = p
		}
	}
	fmt.Fprintf(w, `
Strata is running.

  S3 endpoint   %s
  bucket        %s (tenant %s)
  apply took    %s; from apply to a verified S3 round trip: %s

Use it from this shell:

  . %s
  aws s3 ls s3://%s/
  aws s3 cp README.md s3://%s/

The environment file sets AWS_ENDPOINT_URL, the keys and AWS_CA_BUNDLE, which
AWS CLI 2.13 and later read; see the README for older CLIs, s3cmd and rclone.
make quickstart-down stops everything and keeps the data.
`, r.Endpoint, r.Bucket, r.Tenant, r.Apply.Round(10e6), r.ToS3.Round(10e6), rel, r.Bucket, r.Bucket)
}
