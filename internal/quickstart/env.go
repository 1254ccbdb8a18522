package quickstart

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/atomicfile"
)

// EnvFileName is the environment file Up writes in the state directory.
const EnvFileName = "quickstart.env"

// writeEnv writes the shell environment that reaches the control plane and
// the tenant, mode 0600 since it holds secrets.
func writeEnv(cfg Config, cp *controlPlane, t tenant) (string, error) {
	vars := [][2]string{
		{client.EnvEndpoint, cp.endpoint},
		{client.EnvToken, cp.token},
		{client.EnvCACert, cp.caFile},
		{"AWS_ENDPOINT_URL", t.endpoint},
		{"AWS_ACCESS_KEY_ID", t.accessKey},
		{"AWS_SECRET_ACCESS_KEY", t.secretKey},
		{"AWS_CA_BUNDLE", t.caFile},
		{"AWS_REGION", t.region},
	}
	var b strings.Builder
	b.WriteString("# Written by make quickstart. Source it: . " + EnvFileName + "\n")
	for _, v := range vars {
		fmt.Fprintf(&b, "export %s=%s\n", v[0], shellQuote(v[1]))
	}
	path := filepath.Join(cfg.StateDir, EnvFileName)
	return path, atomicfile.Write(path, []byte(b.String()), 0o600)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ReadEnv parses an environment file written by Up.
func ReadEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if ok && !strings.HasPrefix(line, "#") {
			env[k] = strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'")
		}
	}
	return env, nil
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
