package pools

import (
	"context"
	"fmt"
	"sync"

	"github.com/strata-storage/strata/storaged/object"
)

// lockPrefix starts the names of the pools layer's locks. No bucket name
// starts with a dot, so they never equal a name the sets layer locks.
const lockPrefix = ".pools/"

// lockKey holds the pools layer's name of one key exclusively, for a
// change that picks a pool and writes there.
func (l *Layers) lockKey(ctx context.Context, bucket, key string) (func(), error) {
	return l.lock(ctx, lockPrefix+bucket+"/"+key)
}

// lockBucket holds the pools layer's name of a bucket exclusively, for a
// change of the bucket on every pool.
func (l *Layers) lockBucket(ctx context.Context, bucket string) (func(), error) {
	return l.lock(ctx, lockPrefix+bucket)
}

// lock takes name across the nodes, or on this node without a Locker. A
// lock that cannot be had is a missed write quorum: nothing is changed.
func (l *Layers) lock(ctx context.Context, name string) (func(), error) {
	if l.locker == nil {
		return l.local.lock(name), nil
	}
	unlock, err := l.locker.Lock(ctx, nil, []string{name})
	if err != nil {
		return nil, fmt.Errorf("%w: pools: locking %q: %w", object.ErrWriteQuorum, name, err)
	}
	return unlock, nil
}

// keyLocks are exclusive locks by name on this node, made as needed and
// dropped when no one holds or waits for them.
type keyLocks struct {
	mu    sync.Mutex
	names map[string]*keyLock
}

type keyLock struct {
	mu    sync.Mutex
	users int
}

// lock takes name and returns the function that releases it.
func (k *keyLocks) lock(name string) func() {
	k.mu.Lock()
	if k.names == nil {
		k.names = map[string]*keyLock{}
	}
	kl := k.names[name]
	if kl == nil {
		kl = &keyLock{}
		k.names[name] = kl
	}
	kl.users++
	k.mu.Unlock()
	kl.mu.Lock()
	return func() {
		kl.mu.Unlock()
		k.mu.Lock()
		if kl.users--; kl.users == 0 {
			delete(k.names, name)
		}
		k.mu.Unlock()
	}
}
