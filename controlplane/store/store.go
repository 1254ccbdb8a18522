// Package store persists the control plane's desired state and observed
// status. It stores opaque JSON documents by kind and name, each with a
// revision number that changes on every write, so that callers can make
// optimistic, compare-and-swap updates.
//
// The package knows nothing of the resource types: the API and the
// reconcilers encode and decode them. The embedded default is a bbolt file;
// an etcd store for several control-plane replicas fits the same Store
// interface.
//
// Sealed, wrapping either, keeps the state encrypted at rest: every value
// is sealed with AES-256-GCM under the secrets key (a fresh random nonce
// per write, the record's kind and name as additional data, so that a
// sealed value moved to another record does not open). Sealing happens
// here, and on whole values, because every write of the control plane
// (the registry's resources, tokens, the KMS's key material) passes
// through a Store and nothing else reaches bbolt or etcd: no secret field,
// today's (tenants' root keys, access key and tier secrets) or one added
// later, can slip past a list of fields to seal. The cost is that state.db
// and etcd's values cannot be read with bbolt's or etcd's own tools.
//
// Seal keeps a sealed check value, so that a control plane started with
// the wrong key stops at once with ErrWrongKey instead of failing on each
// read, and seals the values that an older control plane wrote in the
// clear. Until then a clear value is read as it is. On bbolt, Bolt.Compact
// then drops the clear copies from the file's free pages; etcd keeps them
// in its history until it compacts it.
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

// Walker is a Store that can visit every document of every kind, for work
// on the whole store such as sealing values written in the clear. Kinds
// whose names start with "_" are the store's own and are visited too.
type Walker interface {
	// Walk calls visit with every document, in no set order. The records
	// are read before the first call, so visit may write to the store; a
	// document written meanwhile shows with its old value and revision.
	Walk(ctx context.Context, visit func(Record) error) error
}
