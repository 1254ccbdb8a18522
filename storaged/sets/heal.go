package sets

import "context"

// ObjectLock returns the lock that a change of one object holds across
// the tenant's nodes through locker, for work outside the object layer
// that must not race such changes, as healing the object. Without a
// locker it takes nothing.
func ObjectLock(locker Locker) func(ctx context.Context, bucket, key string) (func(), error) {
	l := &Layers{locker: locker}
	return l.lockObject
}
