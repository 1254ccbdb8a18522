package store

import (
	"context"
	"fmt"
	"os"
	"strings"

	bolt "go.etcd.io/bbolt"
	clientv3 "go.etcd.io/etcd/client/v3"
)

var _ Walker = (*Bolt)(nil)

// Walk implements Walker.
func (b *Bolt) Walk(_ context.Context, visit func(Record) error) error {
	var recs []Record
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(kind []byte, bk *bolt.Bucket) error {
			if string(kind) == string(revisionBucket) {
				return nil
			}
			return bk.ForEach(func(k, v []byte) error {
				recs = append(recs, decode(string(kind), k, v))
				return nil
			})
		})
	})
	if err != nil {
		return fmt.Errorf("store: walking %s: %w", b.path, err)
	}
	for _, rec := range recs {
		if err := visit(rec); err != nil {
			return err
		}
	}
	return nil
}

// Compact rewrites the file with only its live pages, so that values that
// were overwritten (such as secrets sealed after being written in the
// clear) no longer linger in its free pages. Nothing may use the store
// while it runs; it is for the start of the control plane.
func (b *Bolt) Compact() error {
	tmp := b.path + ".compact"
	if err := os.Remove(tmp); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("store: removing %s: %w", tmp, err)
	}
	dst, err := bolt.Open(tmp, 0o600, nil)
	if err != nil {
		return fmt.Errorf("store: compacting %s: %w", b.path, err)
	}
	err = bolt.Compact(dst, b.db, 1<<20)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: compacting %s: %w", b.path, err)
	}
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("store: compacting %s: %w", b.path, err)
	}
	if err := os.Rename(tmp, b.path); err != nil {
		return fmt.Errorf("store: compacting %s: %w", b.path, err)
	}
	b.db, err = openBoltDB(b.path)
	return err
}

var _ Walker = (*Etcd)(nil)

// Walk implements Walker. Keys under the prefix that are bound to a lease
// belong to leader election, not to the store, and are skipped.
func (e *Etcd) Walk(ctx context.Context, visit func(Record) error) error {
	resp, err := e.c.Get(ctx, e.prefix, clientv3.WithPrefix())
	if err != nil {
		return fmt.Errorf("store: etcd walk: %w", err)
	}
	for _, kv := range resp.Kvs {
		kind, name, ok := strings.Cut(string(kv.Key[len(e.prefix):]), "/")
		if !ok || kv.Lease != 0 {
			continue
		}
		rec := Record{Kind: kind, Name: name, Value: kv.Value, Revision: kv.ModRevision}
		if err := visit(rec); err != nil {
			return err
		}
	}
	return nil
}
