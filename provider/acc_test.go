package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// openTofuHost is the registry host OpenTofu gives a provider named without
// one, such as the acceptance tests' provider "strata".
const openTofuHost = "registry.opentofu.org"

// checkCLI returns why the CLI that terraform-plugin-testing would run, the
// one named by TF_ACC_TERRAFORM_PATH or else terraform on PATH, cannot
// drive the acceptance tests, or nil. It runs before a test starts any
// process: when the library cannot read the CLI's version it ends the whole
// test binary with os.Exit, skipping every cleanup and leaving control
// planes running. getenv looks up the environment.
func checkCLI(getenv func(string) string) error {
	cli := getenv(envTerraformPath)
	if cli == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			return fmt.Errorf("no terraform CLI: set %s or put terraform on PATH: %w",
				envTerraformPath, err)
		}
		cli = path
	}
	run := func(args ...string) ([]byte, error) {
		out, err := exec.Command(cli, args...).Output()
		if err != nil {
			return nil, fmt.Errorf("running %s %s: %w", cli, strings.Join(args, " "), err)
		}
		return out, nil
	}
	return checkVersions(cli, run, getenv)
}

// checkVersions checks what the CLI named cli says about its version; run
// runs it with the given arguments and returns its standard output.
func checkVersions(cli string, run func(args ...string) ([]byte, error),
	getenv func(string) string) error {
	out, err := run("version", "-json")
	if err != nil {
		return err
	}
	if err := checkVersionJSON(cli, out); err != nil {
		return err
	}
	if out, err = run("version"); err != nil {
		return err
	}
	return checkOpenTofuHost(cli, out, getenv)
}

// checkVersionJSON fails unless out, what `version -json` printed on
// standard output, is only the JSON document terraform-plugin-testing reads.
func checkVersionJSON(cli string, out []byte) error {
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		return fmt.Errorf("%s version -json printed %q, which terraform-plugin-testing "+
			"cannot read; OpenTofu prints problems with its CLI configuration there, so "+
			"point TF_CLI_CONFIG_FILE at a file that exists", cli, out)
	}
	return nil
}

// checkOpenTofuHost fails when out, what `version` printed, is OpenTofu's
// and the in-process provider would not be registered under
// registry.opentofu.org: OpenTofu resolves provider "strata" there, and
// refuses terraform-plugin-testing's legacy "-" namespace under any other
// host.
func checkOpenTofuHost(cli string, out []byte, getenv func(string) string) error {
	if !bytes.Contains(out, []byte("OpenTofu v")) {
		return nil
	}
	if got := getenv(acc.EnvTfAccProviderHost); got != openTofuHost {
		return fmt.Errorf("%s is OpenTofu, which looks for provider \"strata\" at %s: "+
			"got %s=%q, want %q", cli, openTofuHost, acc.EnvTfAccProviderHost, got, openTofuHost)
	}
	return nil
}

// fakeCLI answers `version -json` with jsonOut and `version` with text.
func fakeCLI(jsonOut, text string) func(args ...string) ([]byte, error) {
	return func(args ...string) ([]byte, error) {
		if len(args) == 2 && args[1] == "-json" {
			return []byte(jsonOut), nil
		}
		return []byte(text), nil
	}
}

// envOf looks names up in pairs of name and value.
func envOf(pairs ...string) func(string) string {
	return func(name string) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i] == name {
				return pairs[i+1]
			}
		}
		return ""
	}
}

func TestCheckVersions(t *testing.T) {
	t.Parallel()
	goodJSON := `{"terraform_version": "1.12.6", "platform": "linux_amd64"}`
	warning := "Warning: Unable to open CLI configuration file\n"
	terraform := fakeCLI(goodJSON, "Terraform v1.11.4\non linux_amd64\n")
	tofu := fakeCLI(goodJSON, "OpenTofu v1.12.6\non linux_amd64\n")
	broken := func(args ...string) ([]byte, error) { return nil, errors.New("exit status 1") }

	tests := []struct {
		name    string
		run     func(args ...string) ([]byte, error)
		getenv  func(string) string
		wantErr string // a phrase of the error; empty means none
	}{
		{"Terraform is accepted", terraform, envOf(), ""},
		{"OpenTofu with the OpenTofu registry host is accepted", tofu,
			envOf(acc.EnvTfAccProviderHost, openTofuHost), ""},
		{"OpenTofu without a provider host is refused, naming the variable", tofu,
			envOf(), acc.EnvTfAccProviderHost + `=""`},
		{"OpenTofu with the Terraform registry host is refused", tofu,
			envOf(acc.EnvTfAccProviderHost, "registry.terraform.io"),
			`want "registry.opentofu.org"`},
		{"warnings before the version JSON are refused",
			fakeCLI(warning+goodJSON, warning+"OpenTofu v1.12.6\n"),
			envOf(acc.EnvTfAccProviderHost, openTofuHost),
			"point TF_CLI_CONFIG_FILE at a file that exists"},
		{"JSON without a version is refused", fakeCLI(`{}`, "Terraform v1.11.4\n"),
			envOf(), "cannot read"},
		{"a CLI that fails is refused with its error", broken, envOf(), "exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkVersions("cli", tt.run, tt.getenv)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got error %v, want none", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("got no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("got error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckCLIRunsTheNamedCLI(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "tofu")
	err := checkCLI(envOf(envTerraformPath, missing))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("got %v, want a not-exist error that names %s", err, missing)
	}
}

func TestCheckCLIWithoutTerraformOnPATH(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := checkCLI(func(string) string { return "" })
	if !errors.Is(err, exec.ErrNotFound) || !strings.Contains(err.Error(), envTerraformPath) {
		t.Errorf("got %v, want a not-found error that names %s", err, envTerraformPath)
	}
}
