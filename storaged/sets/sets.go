// Package sets is the object layer of a node whose tenant spans several
// nodes. It implements object.Layer over one object.Layer per erasure set:
// each object lives on the one set that Index picks from a stable hash of
// its bucket and key, and every bucket exists on every set.
//
// Set 0 is the record of which buckets exist: HeadBucket and ListBuckets
// ask it alone, MakeBucket creates a bucket on the other sets first and on
// set 0 last, and DeleteBucket removes it from set 0 last. A bucket that a
// failure left on only some sets is completed by creating it again.
//
// Every node of the tenant serves every object, so writes from different
// nodes must not interleave: with a Locker, each change holds a namespace
// lock across the nodes for its whole length. A change of an object holds
// its bucket shared and its key exclusive; a change of a bucket holds the
// bucket exclusive. Reads take no lock: a read sees the version that a read
// quorum of drives agrees on.
//
// Index is part of the on-disk format: changing it, or the number of sets,
// makes existing objects unreachable. The package never logs.
package sets

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/strata-storage/strata/storaged/object"
)

// Config describes a Layers.
type Config struct {
	// Sets are the erasure sets' layers, in a fixed order that must never
	// change. At least one is required.
	Sets []object.Layer
	// Locker, when set, orders changes across the tenant's nodes. Without
	// it, changes are ordered only by each set's own, per-node locks.
	Locker Locker
}

// Layers is an object.Layer over several erasure sets. Its methods are safe
// for concurrent use.
type Layers struct {
	sets   []object.Layer
	locker Locker
}

// Layers implements the object layer and its optional capabilities by
// handing each call to the set it concerns; a set that lacks a capability
// makes the call fail with an error wrapping errors.ErrUnsupported.
var (
	_ object.Layer        = (*Layers)(nil)
	_ object.Multipart    = (*Layers)(nil)
	_ object.ObjectTagger = (*Layers)(nil)
	_ object.BucketTagger = (*Layers)(nil)
	_ object.Versioned    = (*Layers)(nil)
	_ io.Closer           = (*Layers)(nil)
)

// New checks cfg and returns the Layers it describes.
func New(cfg Config) (*Layers, error) {
	if len(cfg.Sets) == 0 {
		return nil, errors.New("sets: at least one set is needed")
	}
	for i, s := range cfg.Sets {
		if s == nil {
			return nil, fmt.Errorf("sets: set %d is nil", i)
		}
	}
	return &Layers{sets: append([]object.Layer(nil), cfg.Sets...), locker: cfg.Locker}, nil
}

// Index returns the set, out of n, that holds bucket/key: the first eight
// bytes of SHA-256(bucket, NUL, key) as a big-endian number, modulo n.
func Index(bucket, key string, n int) int {
	h := sha256.New()
	_, _ = io.WriteString(h, bucket)
	_, _ = h.Write([]byte{0})
	_, _ = io.WriteString(h, key)
	sum := h.Sum(nil)
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}

// of returns the set that holds bucket/key.
func (l *Layers) of(bucket, key string) object.Layer {
	return l.sets[Index(bucket, key, len(l.sets))]
}

// each runs fn on the sets from first on, in parallel, and returns their
// errors by set.
func (l *Layers) each(first int, fn func(i int, s object.Layer) error) []error {
	errs := make([]error, len(l.sets))
	var wg sync.WaitGroup
	for i := first; i < len(l.sets); i++ {
		wg.Go(func() { errs[i] = fn(i, l.sets[i]) })
	}
	wg.Wait()
	return errs
}

// Close closes every set that is an io.Closer (an erasure layer stops its
// background work) and returns their errors joined.
func (l *Layers) Close() error {
	var errs []error
	for _, s := range l.sets {
		if c, ok := s.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// capability returns set s as the optional capability T, or an error
// wrapping errors.ErrUnsupported when it lacks it.
func capability[T any](s object.Layer) (T, error) {
	c, ok := s.(T)
	if !ok {
		return c, fmt.Errorf("sets: %T lacks %T: %w", s, &c, errors.ErrUnsupported)
	}
	return c, nil
}
