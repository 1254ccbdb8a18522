package pools

import (
	"context"

	"github.com/strata-storage/strata/storaged/object"
)

// A bucket's Object Lock configuration is one of its documents (see
// docs.go); a version's lock settings live with the version on the pool
// that holds it.

// UpdateObjectLock changes one version's lock settings on the pool that
// holds it, holding the key.
func (l *Layers) UpdateObjectLock(ctx context.Context, bucket, key, versionID string,
	change func(object.ObjectInfo) (object.ObjectLock, error)) (object.ObjectInfo, error) {
	if s := l.single(); s != nil {
		c, err := capability[object.ObjectLocker](s)
		if err != nil {
			return object.ObjectInfo{}, err
		}
		return c.UpdateObjectLock(ctx, bucket, key, versionID, change)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	ps := l.heads(ctx, bucket, key)
	if versionID != "" {
		ps = l.versionHeads(ctx, bucket, key, versionID)
	}
	i, err := l.holder(ps)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	c, err := capability[object.ObjectLocker](l.pools[i].Layer)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	return c.UpdateObjectLock(ctx, bucket, key, versionID, change)
}

// DeleteObjectVersionIf checks and deletes one version on the pool that
// holds it (and on any other that does too), holding the key.
func (l *Layers) DeleteObjectVersionIf(ctx context.Context, bucket, key, versionID string,
	check func(object.ObjectInfo) error) (object.DeleteResult, error) {
	if s := l.single(); s != nil {
		c, err := capability[object.ObjectLocker](s)
		if err != nil {
			return object.DeleteResult{}, err
		}
		return c.DeleteObjectVersionIf(ctx, bucket, key, versionID, check)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.DeleteResult{}, err
	}
	defer unlock()
	return l.deleteVersion(ctx, bucket, key, versionID,
		func(p object.Layer) (object.DeleteResult, error) {
			c, err := capability[object.ObjectLocker](p)
			if err != nil {
				return object.DeleteResult{}, err
			}
			return c.DeleteObjectVersionIf(ctx, bucket, key, versionID, check)
		})
}
