package quickstart

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-storage/strata/internal/shellenv"
	"github.com/strata-storage/strata/internal/testcp"
)

// logWriter sends what the quickstart prints to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testConfig(t *testing.T) Config {
	t.Helper()
	example := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "quickstart", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(example, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return Config{
		StateDir:   t.TempDir(),
		Listen:     testcp.FreeAddr(t),
		BinDir:     testcp.BuildBinaries(t),
		ExampleDir: example,
		ObjectSize: 6 << 20,
		Out:        logWriter{t},
	}
}

func TestQuickstartEndToEnd(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	t.Cleanup(func() {
		if err := Down(context.Background(), cfg); err != nil {
			t.Errorf("down: %v", err)
		}
	})

	first, err := Up(ctx, cfg)
	if err != nil {
		t.Fatalf("first up: %v", err)
	}
	checkEnvFile(t, first)
	checkTerraformWithEnvFile(t, cfg, first)
	checkTenantEnvCommand(t, cfg, first)
	t.Logf("apply took %s; apply to verified S3 round trip %s", first.Apply, first.ToS3)

	second, err := Up(ctx, cfg)
	if err != nil {
		t.Fatalf("second up: %v", err)
	}
	if second.Endpoint != first.Endpoint {
		t.Errorf("second up: endpoint %s, want %s", second.Endpoint, first.Endpoint)
	}
	expectNoChanges(t, cfg, "after the second apply")

	nodePID := readPID(t, filepath.Join(cfg.StateDir, "tenants", "demo", "nodes", "pool-0-0",
		"storaged.pid"))
	killControlPlane(t, cfg.StateDir)
	expectNoChanges(t, cfg, "after the control plane was killed and started again")
	expectObject(t, cfg, second)
	if got := readPID(t, filepath.Join(cfg.StateDir, "tenants", "demo", "nodes", "pool-0-0",
		"storaged.pid")); got != nodePID {
		t.Errorf("storage node pid after restart: got %d, want %d (adopted, not restarted)",
			got, nodePID)
	}
}

func checkEnvFile(t *testing.T, res Result) {
	t.Helper()
	env, err := ReadEnv(res.EnvFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"STRATA_ENDPOINT", "STRATA_TOKEN", "STRATA_CA_CERT",
		"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CA_BUNDLE",
		"AWS_REGION"} {
		if env[k] == "" {
			t.Errorf("env file lacks %s", k)
		}
	}
	if env["AWS_ENDPOINT_URL"] != res.Endpoint || env["AWS_REGION"] != "us-east-1" {
		t.Errorf("env file: got endpoint %s region %s, want %s and us-east-1",
			env["AWS_ENDPOINT_URL"], env["AWS_REGION"], res.Endpoint)
	}
	if fi, err := os.Stat(res.EnvFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("env file mode: got %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

// checkTerraformWithEnvFile runs terraform plan in the example as the
// README tells a user to, with nothing but the environment file's
// variables: it must find the provider without terraform init and see no
// change.
func checkTerraformWithEnvFile(t *testing.T, cfg Config, res Result) {
	t.Helper()
	env, err := ReadEnv(res.EnvFile)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := cfg.terraform()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tf, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	cmd.Dir = cfg.ExampleDir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform plan with only %s's variables: %v (exit 2 means changes)\n%s",
			res.EnvFile, err, out)
	}
}

// checkTenantEnvCommand checks that strata-controlplane tenant-env prints
// the same tenant environment as the quickstart's file.
func checkTenantEnvCommand(t *testing.T, cfg Config, res Result) {
	t.Helper()
	want, err := ReadEnv(res.EnvFile)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "demo-ca.pem")
	cmd := exec.Command(filepath.Join(cfg.BinDir, "strata-controlplane"), "tenant-env",
		"--ca-file", caFile, res.Tenant)
	cmd.Env = []string{"STRATA_ENDPOINT=" + want["STRATA_ENDPOINT"],
		"STRATA_TOKEN=" + want["STRATA_TOKEN"], "STRATA_CA_CERT=" + want["STRATA_CA_CERT"]}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tenant-env: %v", err)
	}
	got := shellenv.Parse(string(out))
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_REGION"} {
		if got[k] != want[k] {
			t.Errorf("tenant-env %s: got %q, want %q", k, got[k], want[k])
		}
	}
	if got["AWS_CA_BUNDLE"] != caFile {
		t.Errorf("tenant-env AWS_CA_BUNDLE: got %q, want %q", got["AWS_CA_BUNDLE"], caFile)
	}
}

func expectNoChanges(t *testing.T, cfg Config, when string) {
	t.Helper()
	changes, err := Plan(context.Background(), cfg)
	if err != nil {
		t.Fatalf("plan %s: %v", when, err)
	}
	if changes {
		t.Errorf("plan %s: got changes, want none", when)
	}
}

// expectObject reads the quickstart's object back through the endpoint and
// keys that the control plane reports now.
func expectObject(t *testing.T, cfg Config, want Result) {
	t.Helper()
	ctx := context.Background()
	cp, err := ensureControlPlane(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ten, err := tenantAccess(ctx, cfg, cp, want.Tenant)
	if err != nil {
		t.Fatal(err)
	}
	if ten.endpoint != want.Endpoint {
		t.Errorf("endpoint after restart: got %s, want %s", ten.endpoint, want.Endpoint)
	}
	caPEM, err := os.ReadFile(ten.caFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ten.S3Client(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	got, err := GetSHA256(ctx, c, want.Bucket, want.Key)
	if err != nil || got != want.SHA256 {
		t.Errorf("object after restart: got %s (%v), want %s", got, err, want.SHA256)
	}
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func killControlPlane(t *testing.T, stateDir string) {
	t.Helper()
	pid := readPID(t, filepath.Join(stateDir, "controlplane.pid"))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("control plane %d still alive after SIGKILL", pid)
}
