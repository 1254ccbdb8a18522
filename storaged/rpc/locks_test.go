package rpc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockTableGrants(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	tests := []struct {
		name    string
		setup   func(lt *LockTable)
		holder  string
		read    []string
		write   []string
		granted bool
	}{
		{"a free name is granted for writing", func(*LockTable) {}, "b", nil, []string{"x"}, true},
		{"a written name is refused to another writer",
			func(lt *LockTable) { lt.Grant("a", nil, []string{"x"}, ttl) },
			"b", nil, []string{"x"}, false},
		{"a written name is refused to a reader",
			func(lt *LockTable) { lt.Grant("a", nil, []string{"x"}, ttl) },
			"b", []string{"x"}, nil, false},
		{"a read name is granted to another reader",
			func(lt *LockTable) { lt.Grant("a", []string{"x"}, nil, ttl) },
			"b", []string{"x"}, nil, true},
		{"a read name is refused to a writer",
			func(lt *LockTable) { lt.Grant("a", []string{"x"}, nil, ttl) },
			"b", nil, []string{"x"}, false},
		{"a holder renews its own write hold",
			func(lt *LockTable) { lt.Grant("a", nil, []string{"x"}, ttl) },
			"a", nil, []string{"x"}, true},
		{"a released name is granted again",
			func(lt *LockTable) {
				lt.Grant("a", nil, []string{"x"}, ttl)
				lt.Release("a", []string{"x"})
			}, "b", nil, []string{"x"}, true},
		{"an expired hold does not block",
			func(lt *LockTable) {
				lt.Grant("a", nil, []string{"x"}, time.Millisecond)
				time.Sleep(5 * time.Millisecond)
			}, "b", nil, []string{"x"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lt := NewLockTable()
			tt.setup(lt)
			if got := lt.Grant(tt.holder, tt.read, tt.write, ttl); got != tt.granted {
				t.Errorf("got granted=%v, want %v", got, tt.granted)
			}
		})
	}
}

func TestLockTableGrantsAllOrNothing(t *testing.T) {
	t.Parallel()
	lt := NewLockTable()
	lt.Grant("a", nil, []string{"x"}, time.Minute)
	if lt.Grant("b", []string{"bucket"}, []string{"x"}, time.Minute) {
		t.Fatal("got a grant on a held name, want a refusal")
	}
	if !lt.Grant("c", nil, []string{"bucket"}, time.Minute) {
		t.Errorf("a refused request left a hold on its other names")
	}
	lt.Release("a", []string{"x"})
	lt.Release("c", []string{"bucket"})
	if n := lt.Held(); n != 0 {
		t.Errorf("after releasing everything: %d names held, want 0", n)
	}
}

// lockCluster is three nodes, each with a lock table served over TLS and a
// Locker over all three.
type lockCluster struct {
	lockers []*Locker
	tables  []*LockTable
	servers []func() // stop node i
}

func newLockCluster(t *testing.T, wait time.Duration) *lockCluster {
	t.Helper()
	ca := newTestCA(t)
	c := &lockCluster{}
	var urls []string
	for _, name := range testNodes {
		lt := NewLockTable()
		srv := startNodeWith(t, ca, name, HandlerConfig{Locks: lt})
		c.tables = append(c.tables, lt)
		c.servers = append(c.servers, srv.Close)
		urls = append(urls, srv.URL)
	}
	for i, self := range testNodes {
		var peers []*Peer
		for j, name := range testNodes {
			if j != i {
				peers = append(peers, newTestPeer(t, ca, name, urls[j], ca.issue(t, self)))
			}
		}
		l, err := NewLocker(LockerConfig{Local: c.tables[i], Peers: peers, Wait: wait})
		if err != nil {
			t.Fatal(err)
		}
		c.lockers = append(c.lockers, l)
	}
	return c
}

func TestLockerExcludesWritersOnOtherNodes(t *testing.T) {
	t.Parallel()
	c := newLockCluster(t, 300*time.Millisecond)
	ctx := context.Background()
	unlock, err := c.lockers[0].Lock(ctx, []string{"bkt"}, []string{"bkt/key"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.lockers[1].Lock(ctx, nil, []string{"bkt/key"}); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("a second writer on another node: got %v, want ErrLockTimeout", err)
	}
	other, err := c.lockers[2].Lock(ctx, []string{"bkt"}, []string{"bkt/other"})
	if err != nil {
		t.Fatalf("a writer of another key: got %v, want the lock", err)
	}
	other()
	unlock()
	again, err := c.lockers[1].Lock(ctx, nil, []string{"bkt/key"})
	if err != nil {
		t.Fatalf("after the release: got %v, want the lock", err)
	}
	again()
	for i, lt := range c.tables {
		if n := lt.Held(); n != 0 {
			t.Errorf("node %d still holds %d names after every release", i, n)
		}
	}
}

func TestLockerNeedsAMajorityOfNodes(t *testing.T) {
	t.Parallel()
	c := newLockCluster(t, 300*time.Millisecond)
	ctx := context.Background()
	c.servers[2]()
	unlock, err := c.lockers[0].Lock(ctx, nil, []string{"k"})
	if err != nil {
		t.Fatalf("with one of three nodes down: got %v, want the lock", err)
	}
	unlock()
	c.servers[1]()
	start := time.Now()
	_, err = c.lockers[0].Lock(ctx, nil, []string{"k"})
	if took := time.Since(start); !errors.Is(err, ErrLockQuorum) || took > time.Second {
		t.Errorf("with two of three nodes down: got %v after %s, want ErrLockQuorum at once",
			err, took)
	}
}

// TestLockerKeepsCriticalSectionsApart runs writers of one name on every
// node and checks that no two are ever inside at once.
func TestLockerKeepsCriticalSectionsApart(t *testing.T) {
	t.Parallel()
	c := newLockCluster(t, 20*time.Second)
	var inside, peak, done atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for w := range 30 {
		wg.Go(func() {
			unlock, err := c.lockers[w%3].Lock(context.Background(), nil, []string{"hot"})
			if err != nil {
				errs <- fmt.Errorf("writer %d: %w", w, err)
				return
			}
			if n := inside.Add(1); n > peak.Load() {
				peak.Store(n)
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			done.Add(1)
			unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if peak.Load() != 1 || done.Load() != 30 {
		t.Errorf(
			"got at most %d writers inside and %d done, want 1 and 30",
			peak.Load(),
			done.Load(),
		)
	}
}
