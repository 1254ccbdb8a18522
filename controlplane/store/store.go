// Package store persists the control plane's desired state and observed
// status. It stores opaque JSON documents by kind and name, each with a
// revision number that changes on every write, so that callers can make
// optimistic, compare-and-swap updates.
//
// The package knows nothing of the resource types: the API and the
// reconcilers encode and decode them. The embedded default is a bbolt file;
// an etcd store for several control-plane replicas fits the same Store
// interface.
package store

import (
	"context"
	"errors"
)

var (
	// ErrNotFound means no document has that kind and name.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means the document's revision is not the one the caller
	// expected: someone else wrote it first. Read again and retry.
	ErrConflict = errors.New("store: revision conflict")
)

// Record is one stored document.
type Record struct {
	Kind     string
	Name     string
	Value    []byte
	Revision int64
}

// Revision values with a special meaning for Put and Delete.
const (
	// AnyRevision writes whatever the current revision is.
	AnyRevision int64 = -1
	// MustNotExist makes Put fail with ErrConflict when the document exists.
	MustNotExist int64 = 0
)

// Store holds documents by kind and name. Implementations are safe for
// concurrent use; every method is atomic.
type Store interface {
	// Get returns the document or ErrNotFound.
	Get(ctx context.Context, kind, name string) (Record, error)
	// Put writes the document if its current revision equals want (see
	// AnyRevision and MustNotExist) and returns the new revision; else
	// ErrConflict.
	Put(ctx context.Context, kind, name string, value []byte, want int64) (int64, error)
	// Delete removes the document if its revision equals want; a missing
	// document is ErrNotFound.
	Delete(ctx context.Context, kind, name string, want int64) error
	// List returns up to limit documents of a kind whose names start with
	// prefix and sort after the name after, in name order. limit <= 0 means
	// no limit.
	List(ctx context.Context, kind, prefix, after string, limit int) ([]Record, error)
	// Close releases the store.
	Close() error
}

// Watcher is a Store that can report writes made by other processes, such
// as other control-plane replicas sharing an etcd.
type Watcher interface {
	// Watch calls changed for every document written or deleted from now
	// until ctx ends. It returns when ctx ends or the watch breaks.
	Watch(ctx context.Context, changed func(kind, name string)) error
}
