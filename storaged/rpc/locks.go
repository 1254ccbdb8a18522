package rpc

import (
	"sync"
	"time"
)

// sweepEvery is how often a LockTable drops holds that expired and were
// never released (their holder died).
const sweepEvery = time.Minute

// LockTable is one node's share of the tenant's namespace locks: which
// holder has which name, shared (read) or exclusive (write), until when.
// A holder is a lock request's random ID; it renews its holds by granting
// them again before they expire, and a hold whose holder died expires on
// its own. Its methods are safe for concurrent use.
type LockTable struct {
	mu        sync.Mutex
	locks     map[string]*lockEntry
	lastSweep time.Time
}

// lockEntry is the holds on one name: one writer or many readers.
type lockEntry struct {
	writer      string
	writerUntil time.Time
	readers     map[string]time.Time // holder → expiry
}

// NewLockTable returns an empty lock table.
func NewLockTable() *LockTable {
	return &LockTable{locks: map[string]*lockEntry{}, lastSweep: time.Now()}
}

// Grant gives holder read holds on read and write holds on write, all for
// ttl, or none of them: it returns false when another holder has a write
// hold on any of the names, or any hold on one of write. Granting a hold
// the holder already has renews it.
func (t *LockTable) Grant(holder string, read, write []string, ttl time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.sweep(now)
	for _, name := range read {
		if !t.entry(name).free(holder, false, now) {
			return false
		}
	}
	for _, name := range write {
		if !t.entry(name).free(holder, true, now) {
			return false
		}
	}
	until := now.Add(ttl)
	for _, name := range read {
		t.entry(name).readers[holder] = until
	}
	for _, name := range write {
		e := t.entry(name)
		e.writer, e.writerUntil = holder, until
	}
	return true
}

// Release drops holder's holds on names. Releasing what is not held does
// nothing.
func (t *LockTable) Release(holder string, names []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range names {
		e, ok := t.locks[name]
		if !ok {
			continue
		}
		delete(e.readers, holder)
		if e.writer == holder {
			e.writer = ""
		}
		if e.empty(time.Now()) {
			delete(t.locks, name)
		}
	}
}

// Held reports how many names have a live hold.
func (t *LockTable) Held() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, e := range t.locks {
		if !e.empty(time.Now()) {
			n++
		}
	}
	return n
}

// entry returns name's entry, creating it.
func (t *LockTable) entry(name string) *lockEntry {
	e, ok := t.locks[name]
	if !ok {
		e = &lockEntry{readers: map[string]time.Time{}}
		t.locks[name] = e
	}
	return e
}

// sweep drops expired holds and empty entries, at most once a sweepEvery.
func (t *LockTable) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < sweepEvery {
		return
	}
	t.lastSweep = now
	for name, e := range t.locks {
		if e.empty(now) {
			delete(t.locks, name)
		}
	}
}

// free reports whether holder may take a hold (a write hold when write)
// on the entry: no one else holds it for writing, and for a write hold no
// one else holds it at all.
func (e *lockEntry) free(holder string, write bool, now time.Time) bool {
	if e.writer != "" && e.writer != holder && now.Before(e.writerUntil) {
		return false
	}
	if !write {
		return true
	}
	for r, until := range e.readers {
		if r != holder && now.Before(until) {
			return false
		}
	}
	return true
}

// empty drops the entry's expired holds and reports whether none is left.
func (e *lockEntry) empty(now time.Time) bool {
	if e.writer != "" && !now.Before(e.writerUntil) {
		e.writer = ""
	}
	for r, until := range e.readers {
		if !now.Before(until) {
			delete(e.readers, r)
		}
	}
	return e.writer == "" && len(e.readers) == 0
}
