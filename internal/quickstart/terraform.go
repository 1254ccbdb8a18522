package quickstart

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/atomicfile"
)

// ProviderSource is the provider's address in the configuration.
const ProviderSource = "strata-storage/strata"

// CLIConfig writes a Terraform CLI configuration that holds only a
// development override pointing the provider at binDir, and returns its
// path. With it, `terraform apply` runs without `terraform init` and
// without a registry.
func CLIConfig(stateDir, binDir string) (string, error) {
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %s = %s\n  }\n"+
		"  direct {}\n}\n", strconv.Quote(ProviderSource), strconv.Quote(binDir))
	path := filepath.Join(stateDir, "terraform.rc")
	return path, atomicfile.Write(path, []byte(rc), 0o644)
}

// terraformEnv is the environment terraform runs with: the caller's, plus
// the CLI configuration and the provider's settings.
func terraformEnv(cfg Config, cp *controlPlane) ([]string, error) {
	rc, err := CLIConfig(cfg.StateDir, cfg.BinDir)
	if err != nil {
		return nil, err
	}
	return append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_IN_AUTOMATION=1",
		client.EnvEndpoint+"="+cp.endpoint,
		client.EnvToken+"="+cp.token,
		client.EnvCACert+"="+cp.caFile,
	), nil
}

func (cfg Config) terraform() (string, error) {
	if cfg.Terraform != "" {
		return cfg.Terraform, nil
	}
	path, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("quickstart: terraform is not on PATH: install the Terraform " +
			"CLI (1.11 or later)")
	}
	return path, nil
}

// runTerraform runs terraform in the example directory; its output goes to
// stdout when given, else to cfg.Out.
func runTerraform(ctx context.Context, cfg Config, cp *controlPlane, stdout *bytes.Buffer,
	args ...string) error {
	tf, err := cfg.terraform()
	if err != nil {
		return err
	}
	env, err := terraformEnv(cfg, cp)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, tf, append([]string{"-chdir=" + cfg.ExampleDir}, args...)...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = cfg.Out, cfg.Out
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("quickstart: terraform %s: %w", args[0], err)
	}
	return nil
}

func apply(ctx context.Context, cfg Config, cp *controlPlane) error {
	fmt.Fprintln(cfg.Out, "==> terraform apply in", cfg.ExampleDir)
	return runTerraform(ctx, cfg, cp, nil, "apply", "-auto-approve", "-input=false")
}

// Plan runs terraform plan -detailed-exitcode and reports whether it
// found changes.
func Plan(ctx context.Context, cfg Config) (changes bool, err error) {
	if err := cfg.absolute(); err != nil {
		return false, err
	}
	cp, err := ensureControlPlane(ctx, cfg)
	if err != nil {
		return false, err
	}
	err = runTerraform(ctx, cfg, cp, nil, "plan", "-detailed-exitcode", "-input=false")
	var ee *exec.ExitError
	if asExit(err, &ee) && ee.ExitCode() == 2 {
		return true, nil
	}
	return false, err
}

func outputs(ctx context.Context, cfg Config, cp *controlPlane, res *Result) error {
	var out bytes.Buffer
	if err := runTerraform(ctx, cfg, cp, &out, "output", "-json"); err != nil {
		return err
	}
	var vals map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal(out.Bytes(), &vals); err != nil {
		return fmt.Errorf("quickstart: reading terraform outputs: %w", err)
	}
	res.Tenant, _ = vals["tenant"].Value.(string)
	res.Bucket, _ = vals["bucket"].Value.(string)
	if res.Tenant == "" || res.Bucket == "" {
		return fmt.Errorf("quickstart: the configuration in %s must output tenant and bucket",
			cfg.ExampleDir)
	}
	return nil
}
