package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bolt is a Store in one bbolt file. Each kind is a bbolt bucket; each value
// is prefixed with its 8-byte revision, taken from one counter for the
// whole file so that revisions never repeat.
type Bolt struct {
	path string
	db   *bolt.DB
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens or creates the bbolt file at path with mode 0600. It
// fails quickly when another process holds the file.
func OpenBolt(path string) (*Bolt, error) {
	db, err := openBoltDB(path)
	if err != nil {
		return nil, err
	}
	return &Bolt{path: path, db: db}, nil
}

func openBoltDB(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s (is another control plane using it?): %w",
			path, err)
	}
	// Concurrent writes share one transaction and one fsync; a lone write
	// waits at most this long for company.
	db.MaxBatchDelay = 2 * time.Millisecond
	return db, nil
}

// Close closes the file.
func (b *Bolt) Close() error { return b.db.Close() }

var revisionBucket = []byte("_revision")

// Get implements Store.
func (b *Bolt) Get(_ context.Context, kind, name string) (Record, error) {
	var rec Record
	err := b.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(kind))
		if bk == nil {
			return ErrNotFound
		}
		v := bk.Get([]byte(name))
		if v == nil {
			return ErrNotFound
		}
		rec = decode(kind, []byte(name), v)
		return nil
	})
	return rec, err
}

// Put implements Store. Writes go through bbolt's Batch, which may run the
// function more than once; it only reads and writes inside its transaction,
// so a rerun is harmless.
func (b *Bolt) Put(_ context.Context, kind, name string, value []byte, want int64) (int64, error) {
	var rev int64
	err := b.db.Batch(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return err
		}
		if err := checkRevision(bk.Get([]byte(name)), want, true); err != nil {
			return err
		}
		rev, err = nextRevision(tx)
		if err != nil {
			return err
		}
		return bk.Put([]byte(name), encode(rev, value))
	})
	return rev, err
}

// Delete implements Store.
func (b *Bolt) Delete(_ context.Context, kind, name string, want int64) error {
	return b.db.Batch(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(kind))
		if bk == nil {
			return ErrNotFound
		}
		if err := checkRevision(bk.Get([]byte(name)), want, false); err != nil {
			return err
		}
		return bk.Delete([]byte(name))
	})
}

// List implements Store.
func (b *Bolt) List(_ context.Context, kind, prefix, after string, limit int) ([]Record, error) {
	var out []Record
	err := b.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(kind))
		if bk == nil {
			return nil
		}
		c := bk.Cursor()
		k, v := c.Seek([]byte(max(prefix, after)))
		for ; k != nil && bytes.HasPrefix(k, []byte(prefix)); k, v = c.Next() {
			if string(k) <= after {
				continue
			}
			out = append(out, decode(kind, k, v))
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	return out, err
}

func checkRevision(cur []byte, want int64, put bool) error {
	switch {
	case cur == nil && (!put || want > 0):
		return ErrNotFound
	case cur == nil:
		return nil
	case want == AnyRevision:
		return nil
	case want != int64(binary.BigEndian.Uint64(cur)):
		return ErrConflict
	}
	return nil
}

func nextRevision(tx *bolt.Tx) (int64, error) {
	bk, err := tx.CreateBucketIfNotExists(revisionBucket)
	if err != nil {
		return 0, err
	}
	seq, err := bk.NextSequence()
	return int64(seq), err
}

func encode(rev int64, value []byte) []byte {
	out := make([]byte, 8+len(value))
	binary.BigEndian.PutUint64(out, uint64(rev))
	copy(out[8:], value)
	return out
}

func decode(kind string, k, v []byte) Record {
	return Record{
		Kind:     kind,
		Name:     string(k),
		Value:    bytes.Clone(v[8:]),
		Revision: int64(binary.BigEndian.Uint64(v)),
	}
}
