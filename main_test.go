package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// envServeLogTo makes the test binary serve the provider, as main does,
// with its standard error in the named file: the logs it writes there are
// what Terraform would have to read.
const envServeLogTo = "STRATA_TEST_SERVE_PROVIDER_LOG"

func TestMain(m *testing.M) {
	if path := os.Getenv(envServeLogTo); path != "" {
		serveLoggingTo(path)
		return
	}
	os.Exit(m.Run())
}

func serveLoggingTo(path string) {
	f, err := os.Create(path)
	if err != nil {
		os.Exit(3)
	}
	if err := syscall.Dup2(int(f.Fd()), 2); err != nil {
		os.Exit(3)
	}
	os.Args = os.Args[:1]
	main()
}

// validate runs terraform validate on a configuration with a strata
// provider block, served by this test binary, and returns what the
// provider wrote to its standard error.
func validate(t *testing.T, env ...string) []byte {
	t.Helper()
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("terraform is not on PATH: install the Terraform CLI (1.11 or later)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "terraform-provider-strata")); err != nil {
		t.Fatal(err)
	}
	rc := "provider_installation {\n  dev_overrides {\n    " +
		strconv.Quote("registry.terraform.io/strata-storage/strata") + " = " +
		strconv.Quote(bin) + "\n  }\n  direct {}\n}\n"
	write(t, filepath.Join(dir, "terraform.rc"), rc)
	write(t, filepath.Join(dir, "main.tf"), "terraform {\n  required_providers {\n"+
		"    strata = { source = \"strata-storage/strata\" }\n  }\n}\n\n"+
		"provider \"strata\" {\n  endpoint = \"https://127.0.0.1:7443\"\n  token = \"x\"\n}\n")
	logFile := filepath.Join(dir, "provider.log")
	cmd := exec.Command(tf, "-chdir="+dir, "validate", "-no-color")
	cmd.Env = append(withoutLogSettings(os.Environ()), "TF_CLI_CONFIG_FILE="+
		filepath.Join(dir, "terraform.rc"), "TF_IN_AUTOMATION=1", envServeLogTo+"="+logFile)
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform validate: %v\n%s", err, out)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("the provider wrote no log file (did Terraform start it?): %v", err)
	}
	return b
}

// withoutLogSettings drops the caller's TF_LOG* variables from env.
func withoutLogSettings(env []string) []string {
	var out []string
	for _, kv := range env {
		if !bytes.HasPrefix([]byte(kv), []byte("TF_LOG")) {
			out = append(out, kv)
		}
	}
	return out
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTheProviderWritesOnlyTheLogsTerraformKeeps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      []string
		wantLogs bool
	}{
		{"without TF_LOG it writes nothing", nil, false},
		{"with TF_LOG=off it writes nothing", []string{"TF_LOG=off"}, false},
		{"with TF_LOG=trace it writes the SDK's trace", []string{"TF_LOG=trace",
			"TF_LOG_PATH=" + os.DevNull}, true},
		{"with TF_LOG_PROVIDER=debug it writes the SDK's debug", []string{
			"TF_LOG_PROVIDER=debug", "TF_LOG_PATH=" + os.DevNull}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := validate(t, tt.env...)
			got := bytes.Contains(logs, []byte(`"@module":"sdk.`))
			if got != tt.wantLogs {
				t.Errorf("got SDK log lines %v (%d bytes), want %v", got, len(logs), tt.wantLogs)
			}
		})
	}
}
