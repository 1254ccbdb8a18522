package compat

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// debianBinDir is where Debian's packages put client programs. The tests
// run the clients from there, so that a copy installed some other way
// (pip, pyenv) earlier on PATH does not change what is tested.
const debianBinDir = "/usr/bin"

const (
	stepTimeout = 90 * time.Second // one client command
	waitDelay   = 5 * time.Second  // for a killed command's pipes to close
	mib         = 1 << 20
	bigSize     = 20 * mib // large enough to make every CLI use multipart
)

// findProgram returns the path of a client program from a Debian package,
// and fails t, naming the install step, when it is missing.
func findProgram(t *testing.T, name, pkg string) string {
	t.Helper()
	path := filepath.Join(debianBinDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing (%v): run scripts/deps.sh, which installs Debian's %s package",
			path, err, pkg)
	}
	return path
}

// program is a command-line client with an environment of its own: it
// inherits nothing from the test process, so no user configuration,
// credentials or proxy settings can reach it.
type program struct {
	path string
	env  []string
	dir  string
}

// newProgram returns a client program whose HOME, TMPDIR and working
// folder are home, in UTC, with extra variables added to its environment.
func newProgram(path, home string, extra ...string) program {
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + home, "TMPDIR=" + home, "LANG=C.UTF-8",
		"TZ=UTC"}
	return program{path: path, env: append(env, extra...), dir: home}
}

// run runs the program and returns its standard output. A failure names
// the command and carries the end of its standard error.
func (p program) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.path, args...)
	cmd.Env, cmd.Dir, cmd.WaitDelay = p.env, p.dir, waitDelay
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", filepath.Base(p.path),
			strings.Join(args, " "), err, tail(stderr.String()+stdout.String(), 6))
	}
	return stdout.String(), nil
}

// tail returns the last n non-empty lines of s, joined by " / ".
func tail(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

// step is one operation of a client: run does it and checks its result.
type step struct {
	op  string
	run func(ctx context.Context) error
}

// runSteps runs steps in order, each with its own timeout, and returns
// what each did. A failed step does not stop the ones after it.
func runSteps(t *testing.T, steps []step) []outcome {
	t.Helper()
	out := make([]outcome, 0, len(steps))
	for _, s := range steps {
		ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
		start := time.Now()
		err := s.run(ctx)
		cancel()
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			t.Logf("%s: failed in %s: %v", s.op, took, err)
		} else {
			t.Logf("%s: passed in %s", s.op, took)
		}
		out = append(out, outcome{op: s.op, err: err})
	}
	return out
}

// testData returns n bytes that depend only on seed.
func testData(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// writeFiles writes files (relative path to content) under dir.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// sameFile checks that the file at path holds want.
func sameFile(path string, want []byte) error {
	got, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the download: %w", err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: got %d bytes that differ from the %d uploaded",
			filepath.Base(path), len(got), len(want))
	}
	return nil
}

// mustContain checks that out holds every one of wants.
func mustContain(what, out string, wants ...string) error {
	for _, w := range wants {
		if !strings.Contains(out, w) {
			return fmt.Errorf("%s: got %q, want it to contain %q", what, tail(out, 10), w)
		}
	}
	return nil
}

// mustNotContain checks that out holds none of unwanted.
func mustNotContain(what, out string, unwanted ...string) error {
	for _, u := range unwanted {
		if strings.Contains(out, u) {
			return fmt.Errorf("%s: got %q, want no %q", what, tail(out, 10), u)
		}
	}
	return nil
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
