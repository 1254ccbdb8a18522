package compat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

const (
	suiteBuildTimeout = 3 * time.Minute // cold caches: minio-go and its dependencies
	suiteRunTimeout   = 4 * time.Minute // about 1 minute on an idle 2-core machine
	suiteExitOp       = "the suite runs to the end"
	suiteTestPrefix   = "minio-go: "
	suiteModule       = "strata.test/miniofunctional"
)

// goModule is what `go mod download -json` reports about a module.
type goModule struct {
	Path    string
	Version string
	Dir     string
	Error   string
}

// minioModuleInfo finds the minio-go version that go.mod requires and its
// folder in the module cache, downloading it through the module proxy
// when the cache lacks it.
func minioModuleInfo(t *testing.T) goModule {
	t.Helper()
	out, runErr := exec.CommandContext(t.Context(), "go", "mod", "download", "-json",
		minioModule).Output()
	var mod goModule
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatalf("go mod download -json %s: %v (output %q: %v)", minioModule, runErr, out, err)
	}
	if runErr != nil || mod.Error != "" || mod.Dir == "" {
		t.Fatalf("go mod download -json %s: %v %s", minioModule, runErr, mod.Error)
	}
	return mod
}

// buildMinioSuite builds minio-go's functional suite from a copy of its
// functional_tests.go, without the build constraint that hides it, in a
// module of its own. That module's go.mod and go.sum are Strata's with the
// module path renamed, so the suite builds against exactly the minio-go
// (and dependencies) that Strata's go.mod selects, all of them already in
// the module cache.
func buildMinioSuite(t *testing.T, mod goModule) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(mod.Dir, "functional_tests.go"))
	if err != nil {
		t.Fatalf("reading minio-go's functional suite: %v", err)
	}
	goMod, goSum := strataModuleFiles(t)
	writeFiles(t, dir, map[string][]byte{
		"functional_tests.go": withoutBuildConstraints(src),
		"go.mod":              renameModule(goMod, suiteModule),
		"go.sum":              goSum,
	})
	bin := filepath.Join(dir, "minio-functional")
	ctx, cancel := context.WithTimeout(t.Context(), suiteBuildTimeout)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building minio-go's functional suite: %v\n%s", err, out)
	}
	return bin
}

// withoutBuildConstraints drops the //go:build (and old // +build) lines
// that come before the package clause.
func withoutBuildConstraints(src []byte) []byte {
	var out bytes.Buffer
	inHeader := true
	for _, line := range strings.SplitAfter(string(src), "\n") {
		if strings.HasPrefix(line, "package ") {
			inHeader = false
		}
		if inHeader && (strings.HasPrefix(line, "//go:build") ||
			strings.HasPrefix(line, "// +build")) {
			continue
		}
		out.WriteString(line)
	}
	return out.Bytes()
}

// renameModule replaces the module line of a go.mod.
func renameModule(goMod []byte, path string) []byte {
	lines := strings.SplitAfter(string(goMod), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "module ") {
			lines[i] = "module " + path + "\n"
			break
		}
	}
	return []byte(strings.Join(lines, ""))
}

// strataModuleFiles returns Strata's go.mod and go.sum.
func strataModuleFiles(t *testing.T) ([]byte, []byte) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	goModPath := strings.TrimSpace(string(out))
	goMod, err := os.ReadFile(goModPath)
	if err != nil {
		t.Fatalf("reading Strata's go.mod: %v", err)
	}
	goSum, err := os.ReadFile(filepath.Join(filepath.Dir(goModPath), "go.sum"))
	if err != nil {
		t.Fatalf("reading Strata's go.sum: %v", err)
	}
	return goMod, goSum
}

// runMinioSuite builds and runs minio-go's functional suite in full mode
// against srv and turns its log into one outcome per test function.
func runMinioSuite(t *testing.T, srv *teststoraged.Server) (string, []outcome) {
	mod := minioModuleInfo(t)
	start := time.Now()
	bin := buildMinioSuite(t, mod)
	t.Logf("built minio-go %s's functional suite in %s", mod.Version,
		time.Since(start).Round(time.Millisecond))
	start = time.Now()
	stdout, runErr := runSuite(t, bin, srv)
	t.Logf("ran it in %s", time.Since(start).Round(time.Millisecond))
	outcomes, err := parseSuiteLog(stdout)
	if err != nil {
		t.Fatal(err)
	}
	if runErr != nil {
		outcomes = append(outcomes, outcome{op: suiteExitOp, err: runErr})
	}
	for _, o := range outcomes {
		if o.err != nil {
			t.Logf("%s: %v", o.op, o.err)
		}
	}
	return "minio-go " + mod.Version + " functional suite", outcomes
}

// runSuite runs the suite binary with the environment that mint gives
// it: the server, the keys, HTTPS (trusting only the test CA through
// SSL_CERT_FILE), full mode, no KMS, no MINT_DATA_DIR (it makes its own
// data) and RUN_ON_FAIL, so that one failed test does not end the run.
func runSuite(t *testing.T, bin string, srv *teststoraged.Server) ([]byte, error) {
	t.Helper()
	if host, _, err := net.SplitHostPort(srv.Addr); err != nil ||
		!net.ParseIP(host).IsLoopback() {
		// Without SERVER_ENDPOINT the suite would go to a public server.
		t.Fatalf("refusing to run minio-go's suite against %q: not a loopback address",
			srv.Addr)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), suiteRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir, cmd.WaitDelay = dir, waitDelay
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "TMPDIR=" + dir,
		"SERVER_ENDPOINT=" + srv.Addr, "ACCESS_KEY=" + teststoraged.AccessKey,
		"SECRET_KEY=" + teststoraged.SecretKey, "ENABLE_HTTPS=1", "MINT_MODE=full",
		"ENABLE_KMS=0", "RUN_ON_FAIL=1", "SSL_CERT_FILE=" + srv.CAFile}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("the suite stopped early: %w: %s", err,
			tail(stderr.String(), 8))
	}
	return stdout.Bytes(), nil
}

// suiteLine is one line of the suite's JSON log.
type suiteLine struct {
	Name     string `json:"name"`
	Function string `json:"function"`
	Status   string `json:"status"`
	Alert    string `json:"alert"`
	Message  string `json:"message"`
	Error    string `json:"error"`
}

// parseSuiteLog turns the suite's log into one outcome per result line,
// in the order they came. A test's first result is named after the test;
// a test that logs again (a wrapper run once with SigV2 and once with
// SigV4, or a failed cleanup after a pass) gets "testX (result 2)" and so
// on, so that no result hides another. NA (the server answered
// NotImplemented, or the suite skipped the test) is not a pass.
func parseSuiteLog(log []byte) ([]outcome, error) {
	var outcomes []outcome
	count := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var l suiteLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Name == "" {
			return nil, fmt.Errorf("minio-go's suite logged a line that is not a test result: "+
				"%q", sc.Text())
		}
		name := strings.TrimPrefix(l.Name, suiteTestPrefix)
		count[name]++
		if n := count[name]; n > 1 {
			name = fmt.Sprintf("%s (result %d)", name, n)
		}
		outcomes = append(outcomes, outcome{op: name, err: l.failure()})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading minio-go's suite log: %w", err)
	}
	return outcomes, nil
}

// failure is nil for a PASS line and otherwise says what went wrong.
func (l suiteLine) failure() error {
	switch l.Status {
	case "PASS":
		return nil
	case "NA":
		return fmt.Errorf("NA in %s: %s", l.Function, l.Alert)
	}
	return fmt.Errorf("%s in %s: %s: %s", l.Status, l.Function, l.Message, l.Error)
}
