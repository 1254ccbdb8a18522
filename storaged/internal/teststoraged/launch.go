package teststoraged

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
)

// Process is a storaged that Launch started for a program that is not a
// test, such as the benchmark runner. Its owner must call Stop.
type Process struct {
	*Server
	h *harness
}

// Launch starts the storaged binary bin exactly as Start does (4 drives,
// parity 2, real TLS, a free loopback port), in new folders under dir,
// for a program that has no testing.TB. Where Start would fail its test,
// Launch returns the error, and then nothing is left running or on disk.
func Launch(bin, dir string) (*Process, error) {
	var s *Server
	h, err := run(dir, func(tb testing.TB) { s = Start(tb, bin) })
	if err != nil {
		return nil, err
	}
	return &Process{Server: s, h: h}, nil
}

// Harness runs start, which may call what a test helper calls on its
// testing.TB (TempDir, Cleanup, Fatal, ...), for a program that has no
// testing.TB: temporary folders go under dir, and a failure is returned
// instead of failing a test, with every cleanup done. On success, stop
// runs the cleanups start registered and returns what they reported; call
// it once.
func Harness(dir string, start func(testing.TB)) (stop func() error, err error) {
	h, err := run(dir, start)
	if err != nil {
		return nil, err
	}
	return func() error {
		h.runCleanups()
		return h.failure()
	}, nil
}

// run runs start under a new harness whose folders go under dir, and
// returns the harness, or the failure after cleaning up.
func run(dir string, start func(testing.TB)) (h *harness, err error) {
	h = &harness{parent: dir}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, ok := r.(fatalSignal); !ok {
			panic(r)
		}
		h.runCleanups()
		h, err = nil, h.failure()
	}()
	start(h)
	if h.Failed() {
		h.runCleanups()
		return nil, h.failure()
	}
	return h, nil
}

// Stop stops the server as a test's cleanup does (SIGTERM, a clean exit
// in time, no secret in the logs), removes its folders, and returns every
// check that failed. Call it once.
func (p *Process) Stop() error {
	p.h.runCleanups()
	return p.h.failure()
}

// fatalSignal is what harness.FailNow panics with so that Launch, which
// recovers it, can stop a Start that failed part-way.
type fatalSignal struct{}

// harness is the testing.TB that Start and its helpers run under when
// Launch calls them. The embedded TB is always nil: it only supplies the
// interface's unexported method, and harness defines every exported one.
// Errors are collected, FailNow panics with fatalSignal, temporary folders
// go under parent, and cleanups run when Stop (or a failed Launch) asks.
type harness struct {
	testing.TB
	parent string

	mu       sync.Mutex
	errs     []error
	cleanups []func()
	skipped  bool
}

var _ testing.TB = (*harness)(nil)

// failure returns the errors collected so far, joined, or nil.
func (h *harness) failure() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return errors.Join(h.errs...)
}

// runCleanups runs the registered cleanups once, the last registered
// first; what they report is collected with the other failures.
func (h *harness) runCleanups() {
	h.mu.Lock()
	fns := h.cleanups
	h.cleanups = nil
	h.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		runCleanup(fns[i])
	}
}

// runCleanup runs fn; a FailNow inside it ends only fn.
func runCleanup(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fatalSignal); !ok {
				panic(r)
			}
		}
	}()
	fn()
}

func (h *harness) addError(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errs = append(h.errs, err)
}

// Helper does nothing: there is no test log to attribute lines in.
func (h *harness) Helper() {}

// Name names the harness in messages.
func (h *harness) Name() string { return "teststoraged.Launch" }

// TempDir makes a new folder under the parent folder and removes it at
// cleanup.
func (h *harness) TempDir() string {
	dir, err := os.MkdirTemp(h.parent, "storaged-")
	if err != nil {
		h.Fatalf("making a folder for storaged: %v", err)
	}
	h.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			h.Errorf("removing %s: %v", dir, err)
		}
	})
	return dir
}

// ArtifactDir is TempDir: a program keeps no test artifacts.
func (h *harness) ArtifactDir() string { return h.TempDir() }

// Cleanup registers fn to run at Stop, or when Launch fails.
func (h *harness) Cleanup(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, fn)
}

// Error records a failure.
func (h *harness) Error(args ...any) { h.addError(errors.New(fmt.Sprint(args...))) }

// Errorf records a failure.
func (h *harness) Errorf(format string, args ...any) {
	h.addError(fmt.Errorf(format, args...))
}

// Fail records a failure without a message.
func (h *harness) Fail() { h.addError(errors.New("teststoraged: failed")) }

// Failed reports whether a failure was recorded.
func (h *harness) Failed() bool { return h.failure() != nil }

// FailNow records a failure and stops the caller; only Launch's goroutine
// may call it.
func (h *harness) FailNow() {
	h.Fail()
	panic(fatalSignal{})
}

// Fatal records a failure and stops the caller, as FailNow does.
func (h *harness) Fatal(args ...any) {
	h.Error(args...)
	panic(fatalSignal{})
}

// Fatalf records a failure and stops the caller, as FailNow does.
func (h *harness) Fatalf(format string, args ...any) {
	h.Errorf(format, args...)
	panic(fatalSignal{})
}

// Skip counts as a failure: a program cannot skip.
func (h *harness) Skip(args ...any) { h.skip(fmt.Sprint(args...)) }

// Skipf counts as a failure: a program cannot skip.
func (h *harness) Skipf(format string, args ...any) { h.skip(fmt.Sprintf(format, args...)) }

// SkipNow counts as a failure: a program cannot skip.
func (h *harness) SkipNow() { h.skip("skipped") }

func (h *harness) skip(msg string) {
	h.mu.Lock()
	h.skipped = true
	h.mu.Unlock()
	h.Fatalf("teststoraged: cannot skip outside a test: %s", msg)
}

// Skipped reports whether Skip was called.
func (h *harness) Skipped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.skipped
}

// Log discards its arguments: a program's harness keeps no test log.
func (h *harness) Log(...any) {}

// Logf discards its arguments: a program's harness keeps no test log.
func (h *harness) Logf(string, ...any) {}

// Attr does nothing: there is no test output to annotate.
func (h *harness) Attr(string, string) {}

// Output returns io.Discard: there is no test log.
func (h *harness) Output() io.Writer { return io.Discard }

// Context returns a background context, never canceled.
func (h *harness) Context() context.Context { return context.Background() }

// Setenv fails: a program's environment is its own to change.
func (h *harness) Setenv(key, _ string) {
	h.Fatalf("teststoraged: Setenv(%q) is not supported outside a test", key)
}

// Chdir fails: a program's working folder is its own to change.
func (h *harness) Chdir(dir string) {
	h.Fatalf("teststoraged: Chdir(%q) is not supported outside a test", dir)
}
