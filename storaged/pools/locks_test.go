package pools

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
	"github.com/strata-storage/strata/storaged/sets"
)

// recordingLocker grants every lock at once and records the names, the
// written ones as "w:name" and the read ones as "r:name".
type recordingLocker struct {
	mu    sync.Mutex
	names []string
}

func (r *recordingLocker) Lock(_ context.Context, read, write []string) (func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range read {
		r.names = append(r.names, "r:"+n)
	}
	for _, n := range write {
		r.names = append(r.names, "w:"+n)
	}
	return func() {}, nil
}

func TestChangesLockThePoolsNameBeforeTheSets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	locker := &recordingLocker{}
	var layers []object.Layer
	for range 2 {
		s, err := sets.New(sets.Config{Sets: []object.Layer{newErasure(t)}, Locker: locker})
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, s)
	}
	l, err := New(Config{Locker: locker, Pools: []Pool{
		{Name: "pool-0", Layer: layers[0], Decommission: true, Space: free(1)},
		{Name: "pool-1", Layer: layers[1], Space: free(1)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	mkBucket(t, layers[0], "bkt", false)
	put(t, layers[0], "bkt", "k", "on the pool being drained")
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	locker.names = nil
	put(t, l, "bkt", "k", "moved and replaced")
	got := strings.Join(locker.names, " ")
	if !strings.HasPrefix(got, "w:.pools/bkt/k r:bkt w:bkt/k") ||
		strings.Count(got, ".pools/") != 1 {
		t.Errorf("locks taken: %s; want the pools name first and once, then the sets' names", got)
	}
	if body, err := read(t, layers[1], "bkt", "k"); err != nil || body != "moved and replaced" {
		t.Errorf("pool 1: got %q, %v", body, err)
	}
}
