package pools

import (
	"context"
	"io"

	"github.com/strata-storage/strata/storaged/object"
)

// versioned returns the only pool as a Versioned; call it with one pool.
func (l *Layers) versioned() (object.Versioned, error) {
	return capability[object.Versioned](l.single())
}

// GetObjectVersion reads one version from the pool that holds it.
func (l *Layers) GetObjectVersion(ctx context.Context, bucket, key, versionID string,
	rng *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	if l.single() != nil {
		v, err := l.versioned()
		if err != nil {
			return object.ObjectInfo{}, nil, err
		}
		return v.GetObjectVersion(ctx, bucket, key, versionID, rng)
	}
	i, _, err := l.answer(l.versionHeads(ctx, bucket, key, versionID))
	if err != nil {
		return object.ObjectInfo{}, nil, err
	}
	v, err := capability[object.Versioned](l.pools[i].Layer)
	if err != nil {
		return object.ObjectInfo{}, nil, err
	}
	return v.GetObjectVersion(ctx, bucket, key, versionID, rng)
}

// HeadObjectVersion describes one version from the pool that holds it.
func (l *Layers) HeadObjectVersion(ctx context.Context, bucket, key,
	versionID string) (object.ObjectInfo, error) {
	if l.single() != nil {
		v, err := l.versioned()
		if err != nil {
			return object.ObjectInfo{}, err
		}
		return v.HeadObjectVersion(ctx, bucket, key, versionID)
	}
	_, info, err := l.answer(l.versionHeads(ctx, bucket, key, versionID))
	return info, err
}

// DeleteObjectVersion removes one version from every pool that holds it,
// or, without a version ID, deletes the key as the bucket's versioning
// says; it holds the key.
func (l *Layers) DeleteObjectVersion(ctx context.Context, bucket, key,
	versionID string) (object.DeleteResult, error) {
	if l.single() != nil {
		v, err := l.versioned()
		if err != nil {
			return object.DeleteResult{}, err
		}
		return v.DeleteObjectVersion(ctx, bucket, key, versionID)
	}
	del := func(p object.Layer) (object.DeleteResult, error) {
		v, err := capability[object.Versioned](p)
		if err != nil {
			return object.DeleteResult{}, err
		}
		return v.DeleteObjectVersion(ctx, bucket, key, versionID)
	}
	if versionID == "" {
		return l.deleteCurrent(ctx, bucket, key, del)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.DeleteResult{}, err
	}
	defer unlock()
	return l.deleteVersion(ctx, bucket, key, versionID, del)
}

// deleteVersion runs del on every pool that holds the version, or on the
// record pool when none does (a missing version is no error there). The
// caller holds the key.
func (l *Layers) deleteVersion(ctx context.Context, bucket, key, versionID string,
	del func(p object.Layer) (object.DeleteResult, error)) (object.DeleteResult, error) {
	ps := l.versionHeads(ctx, bucket, key, versionID)
	if err := failure(ps); err != nil {
		return object.DeleteResult{}, err
	}
	first := l.newest(ps)
	if first < 0 {
		return del(l.recordLayer())
	}
	res, err := del(l.pools[first].Layer)
	if err != nil {
		return res, err
	}
	for i, p := range ps {
		if i != first && p.holds() {
			if _, err := del(l.pools[i].Layer); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// PutObjectVersionTags tags one version on the pool that holds it,
// holding the key.
func (l *Layers) PutObjectVersionTags(ctx context.Context, bucket, key, versionID string,
	tags map[string]string) (object.ObjectInfo, error) {
	if l.single() != nil {
		v, err := l.versioned()
		if err != nil {
			return object.ObjectInfo{}, err
		}
		return v.PutObjectVersionTags(ctx, bucket, key, versionID, tags)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	i, err := l.holder(l.versionHeads(ctx, bucket, key, versionID))
	if err != nil {
		return object.ObjectInfo{}, err
	}
	v, err := capability[object.Versioned](l.pools[i].Layer)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	return v.PutObjectVersionTags(ctx, bucket, key, versionID, tags)
}
