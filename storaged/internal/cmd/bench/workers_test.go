package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

func TestForEachCallsEveryIndexOnceAndStopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name      string
		n, conc   int
		failAt    int // -1 for never
		wantCalls int
		wantErr   error
	}{
		{"every index runs once with one worker", 10, 1, -1, 10, nil},
		{"every index runs once with more workers than work", 5, 16, -1, 5, nil},
		{"a failure stops one worker before the rest", 10, 1, 3, 4, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			seen := make([]atomic.Int64, tt.n)
			err := forEach(context.Background(), tt.n, tt.conc,
				func(_ context.Context, i int) error {
					calls.Add(1)
					seen[i].Add(1)
					if i == tt.failAt {
						return boom
					}
					return nil
				})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("error: got %v, want %v", err, tt.wantErr)
			}
			if got := int(calls.Load()); got != tt.wantCalls {
				t.Errorf("calls: got %d, want %d", got, tt.wantCalls)
			}
			for i := range seen {
				if n := seen[i].Load(); n > 1 {
					t.Errorf("index %d: got %d calls, want at most 1", i, n)
				}
			}
		})
	}
}

func TestMatcherAcceptsOnlyTheWantedBytes(t *testing.T) {
	t.Parallel()
	want := []byte("0123456789")
	tests := []struct {
		name   string
		writes []string
		ok     bool
	}{
		{"the same bytes in pieces match", []string{"012", "3456", "789"}, true},
		{"a changed byte does not match", []string{"012", "3X56"}, false},
		{"too few bytes do not match", []string{"01234"}, false},
		{"too many bytes do not match", []string{"0123456789", "0"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &matcher{want: want}
			var err error
			for _, w := range tt.writes {
				if _, err = m.Write([]byte(w)); err != nil {
					break
				}
			}
			if err == nil {
				err = m.done()
			}
			if got := err == nil; got != tt.ok {
				t.Errorf("match: got %v (%v), want %v", got, err, tt.ok)
			}
			if err != nil && !errors.Is(err, errMismatch) {
				t.Errorf("error: got %v, want one wrapping errMismatch", err)
			}
		})
	}
}

func TestPlainFilesAreWrittenDurablyAndCheckedOnRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := randomBytes(3*smallSize, 9)
	w := workload{size: smallSize, count: 3, conc: 2,
		payload: func(i int) []byte { return data[i*smallSize : (i+1)*smallSize] }}
	pf := plainFiles{dir: dir}
	if err := pf.write(context.Background(), w); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := pf.read(context.Background(), w); err != nil {
		t.Errorf("read of what was written: got %v, want no error", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(left) != 0 {
		t.Errorf("temporary files: got %v, want none", left)
	}
	if err := os.WriteFile(filepath.Join(dir, objectName(1)), []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := pf.read(context.Background(), w); !errors.Is(err, errMismatch) {
		t.Errorf("read of a changed file: got %v, want errMismatch", err)
	}
}
