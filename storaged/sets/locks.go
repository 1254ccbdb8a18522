package sets

import (
	"context"
	"fmt"

	"github.com/strata-storage/strata/storaged/object"
)

// Locker takes namespace locks that hold across the tenant's nodes, such
// as rpc.Locker. Lock holds read shared and write exclusive, waiting as
// long as it sees fit, and returns the function that releases them.
type Locker interface {
	Lock(ctx context.Context, read, write []string) (unlock func(), err error)
}

// lockBucket holds a bucket exclusively, for a change of the bucket.
func (l *Layers) lockBucket(ctx context.Context, bucket string) (func(), error) {
	return l.lock(ctx, nil, []string{bucket})
}

// lockObject holds a bucket shared and one of its keys exclusively, for a
// change of the object. Bucket names hold no slash, so an object's name
// never equals a bucket's.
func (l *Layers) lockObject(ctx context.Context, bucket, key string) (func(), error) {
	return l.lock(ctx, []string{bucket}, []string{bucket + "/" + key})
}

// lockInBucket holds a bucket shared, for a change inside it that no other
// change of the same name can race (a part of an upload).
func (l *Layers) lockInBucket(ctx context.Context, bucket string) (func(), error) {
	return l.lock(ctx, []string{bucket}, nil)
}

// lock takes the locks, or does nothing without a Locker. A lock that
// cannot be had is a missed write quorum: the change is not made.
func (l *Layers) lock(ctx context.Context, read, write []string) (func(), error) {
	if l.locker == nil {
		return func() {}, nil
	}
	unlock, err := l.locker.Lock(ctx, read, write)
	if err != nil {
		return nil, fmt.Errorf("%w: sets: locking %q: %w", object.ErrWriteQuorum,
			append(read, write...), err)
	}
	return unlock, nil
}
