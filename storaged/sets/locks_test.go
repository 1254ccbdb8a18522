package sets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// recordingLocker records every lock taken and refuses names in deny.
type recordingLocker struct {
	mu    sync.Mutex
	taken []string
	held  int
	deny  map[string]bool
}

func (r *recordingLocker) Lock(_ context.Context, read, write []string) (func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range append(append([]string(nil), read...), write...) {
		if r.deny[n] {
			return nil, fmt.Errorf("%s is held elsewhere", n)
		}
	}
	r.taken = append(r.taken, fmt.Sprintf("r%q w%q", read, write))
	r.held++
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.held--
	}, nil
}

func (r *recordingLocker) reset() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.taken
	r.taken = nil
	return out
}

func TestChangesHoldTheirLocks(t *testing.T) {
	t.Parallel()
	sets := []object.Layer{newSet(t), newSet(t)}
	locker := &recordingLocker{deny: map[string]bool{}}
	l, err := New(Config{Sets: sets, Locker: locker})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	steps := []struct {
		name string
		run  func() error
		want string // the locks taken, "" for none
	}{
		{"making a bucket holds it exclusively", func() error { return l.MakeBucket(ctx, "bkt") },
			`r[] w["bkt"]`},
		{"putting an object holds the bucket shared and the key exclusively", func() error {
			_, err := l.PutObject(
				ctx,
				"bkt",
				"k",
				bytes.NewReader([]byte("x")),
				1,
				object.PutOptions{},
			)
			return err
		}, `r["bkt"] w["bkt/k"]`},
		{"reading an object holds nothing", func() error {
			_, rc, err := l.GetObject(ctx, "bkt", "k", nil)
			if err == nil {
				_, _ = io.Copy(io.Discard, rc)
				rc.Close()
			}
			return err
		}, ""},
		{"tagging an object holds its key", func() error {
			_, err := l.PutObjectTags(ctx, "bkt", "k", map[string]string{"a": "b"})
			return err
		}, `r["bkt"] w["bkt/k"]`},
		{
			"deleting an object holds its key",
			func() error { return l.DeleteObject(ctx, "bkt", "k") },
			`r["bkt"] w["bkt/k"]`,
		},
		{
			"deleting a bucket holds it exclusively",
			func() error { return l.DeleteBucket(ctx, "bkt") },
			`r[] w["bkt"]`,
		},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.run(); err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(locker.reset())
			want := "[]"
			if s.want != "" {
				want = "[" + s.want + "]"
			}
			if got != want {
				t.Errorf("got locks %s, want %s", got, want)
			}
			if locker.held != 0 {
				t.Errorf("%d locks still held after the call", locker.held)
			}
		})
	}
}

func TestAChangeWithoutItsLockIsNotMade(t *testing.T) {
	t.Parallel()
	set := newSet(t)
	locker := &recordingLocker{deny: map[string]bool{"bkt/k": true}}
	l, err := New(Config{Sets: []object.Layer{set}, Locker: locker})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	_, err = l.PutObject(ctx, "bkt", "k", bytes.NewReader([]byte("x")), 1, object.PutOptions{})
	if !errors.Is(err, object.ErrWriteQuorum) {
		t.Errorf("got %v, want ErrWriteQuorum", err)
	}
	if _, err := set.HeadObject(ctx, "bkt", "k"); !errors.Is(err, object.ErrObjectNotFound) {
		t.Errorf("the object was written without its lock: %v", err)
	}
}
