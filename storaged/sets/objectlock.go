package sets

import (
	"context"

	"github.com/strata-storage/strata/storaged/object"
)

// A bucket's Object Lock configuration is one of its documents, on set 0
// (see bucketdocs.go). A version's lock settings live with the version on
// its key's set; changing them, and deleting a version after checking
// them, hold the key so that no other node's change comes between.

var _ object.ObjectLocker = (*Layers)(nil)

// PutBucketObjectLock stores the bucket's Object Lock configuration on
// set 0.
func (l *Layers) PutBucketObjectLock(ctx context.Context, bucket string,
	cfg object.BucketLockConfig) error {
	return putBucketDoc(ctx, l, bucket, func(s object.ObjectLocker) error {
		return s.PutBucketObjectLock(ctx, bucket, cfg)
	})
}

// BucketObjectLock returns the bucket's Object Lock configuration from
// set 0.
func (l *Layers) BucketObjectLock(ctx context.Context,
	bucket string) (object.BucketLockConfig, error) {
	s, err := capability[object.ObjectLocker](l.sets[0])
	if err != nil {
		return object.BucketLockConfig{}, err
	}
	return s.BucketObjectLock(ctx, bucket)
}

// UpdateObjectLock changes one version's lock settings on the key's set,
// holding the key.
func (l *Layers) UpdateObjectLock(ctx context.Context, bucket, key, versionID string,
	change func(object.ObjectInfo) (object.ObjectLock, error)) (object.ObjectInfo, error) {
	s, unlock, err := l.lockerOf(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	return s.UpdateObjectLock(ctx, bucket, key, versionID, change)
}

// DeleteObjectVersionIf checks and deletes one version on the key's set,
// holding the key across both.
func (l *Layers) DeleteObjectVersionIf(ctx context.Context, bucket, key, versionID string,
	check func(object.ObjectInfo) error) (object.DeleteResult, error) {
	s, unlock, err := l.lockerOf(ctx, bucket, key)
	if err != nil {
		return object.DeleteResult{}, err
	}
	defer unlock()
	return s.DeleteObjectVersionIf(ctx, bucket, key, versionID, check)
}

// lockerOf returns the key's set as an ObjectLocker with the key held.
func (l *Layers) lockerOf(ctx context.Context, bucket,
	key string) (object.ObjectLocker, func(), error) {
	s, err := capability[object.ObjectLocker](l.of(bucket, key))
	if err != nil {
		return nil, nil, err
	}
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return nil, nil, err
	}
	return s, unlock, nil
}
