package pools

import (
	"context"
	"errors"
	"io"

	"github.com/strata-storage/strata/storaged/object"
)

// prepare picks the pool a new version of the key goes to and gathers
// the key's versions there. The caller holds the key's lock.
func (l *Layers) prepare(ctx context.Context, bucket, key string) (int, error) {
	ps := l.heads(ctx, bucket, key)
	if err := failure(ps); err != nil {
		return -1, err
	}
	to := l.target(ctx, ps)
	return to, l.gather(ctx, bucket, key, ps, to)
}

// PutObject stores the object on the pool the rules pick, holding the key.
func (l *Layers) PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64,
	opts object.PutOptions) (object.ObjectInfo, error) {
	if s := l.single(); s != nil {
		return s.PutObject(ctx, bucket, key, r, size, opts)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	to, err := l.prepare(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	p := l.pools[to].Layer
	cr := &countingReader{r: r}
	info, err := p.PutObject(ctx, bucket, key, cr, size, opts)
	if errors.Is(err, object.ErrBucketNotFound) && cr.n == 0 && l.syncBucketTo(ctx, bucket, to) {
		return p.PutObject(ctx, bucket, key, r, size, opts)
	}
	return info, err
}

// GetObject reads the newest version of the key across the pools.
func (l *Layers) GetObject(ctx context.Context, bucket, key string,
	rng *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	if s := l.single(); s != nil {
		return s.GetObject(ctx, bucket, key, rng)
	}
	i, _, err := l.answer(l.heads(ctx, bucket, key))
	if err != nil {
		return object.ObjectInfo{}, nil, err
	}
	return l.pools[i].Layer.GetObject(ctx, bucket, key, rng)
}

// HeadObject describes the newest version of the key across the pools.
func (l *Layers) HeadObject(ctx context.Context, bucket, key string) (object.ObjectInfo, error) {
	if s := l.single(); s != nil {
		return s.HeadObject(ctx, bucket, key)
	}
	_, info, err := l.answer(l.heads(ctx, bucket, key))
	return info, err
}

// DeleteObject deletes the key: from every pool in a bucket without
// versioning, else with a delete marker on the pool the rules pick.
func (l *Layers) DeleteObject(ctx context.Context, bucket, key string) error {
	if s := l.single(); s != nil {
		return s.DeleteObject(ctx, bucket, key)
	}
	_, err := l.deleteCurrent(ctx, bucket, key, func(p object.Layer) (object.DeleteResult, error) {
		return object.DeleteResult{}, p.DeleteObject(ctx, bucket, key)
	})
	return err
}

// deleteCurrent deletes the key as the bucket's versioning says, with del
// on each pool it concerns, holding the key.
func (l *Layers) deleteCurrent(ctx context.Context, bucket, key string,
	del func(p object.Layer) (object.DeleteResult, error)) (object.DeleteResult, error) {
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.DeleteResult{}, err
	}
	defer unlock()
	state, err := l.versioning(ctx, bucket)
	if err != nil {
		return object.DeleteResult{}, err
	}
	if state == "" {
		return l.deleteEverywhere(del)
	}
	to, err := l.prepare(ctx, bucket, key)
	if err != nil {
		return object.DeleteResult{}, err
	}
	res, err := del(l.pools[to].Layer)
	if errors.Is(err, object.ErrBucketNotFound) && l.syncBucketTo(ctx, bucket, to) {
		return del(l.pools[to].Layer)
	}
	return res, err
}

// versioning returns the bucket's versioning state from the record pool;
// a pool that keeps no versions has none.
func (l *Layers) versioning(ctx context.Context, bucket string) (string, error) {
	v, ok := l.recordLayer().(object.Versioned)
	if !ok {
		return "", nil
	}
	return v.BucketVersioning(ctx, bucket)
}

// deleteEverywhere runs del on every pool; a pool other than the record
// pool that lacks the bucket has nothing to delete.
func (l *Layers) deleteEverywhere(
	del func(p object.Layer) (object.DeleteResult, error)) (object.DeleteResult, error) {
	results := make([]object.DeleteResult, len(l.pools))
	errs := l.each(func(i int, p object.Layer) error {
		var err error
		results[i], err = del(p)
		if i != l.record && errors.Is(err, object.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	return results[l.record], errors.Join(errs...)
}

// holder returns the pool that holds what ps describes, the record pool
// when none does (its answer is the right error), or an error when a
// pool could not tell.
func (l *Layers) holder(ps []presence) (int, error) {
	if err := failure(ps); err != nil {
		return -1, err
	}
	if i := l.newest(ps); i >= 0 {
		return i, nil
	}
	return l.record, nil
}

// PutObjectTags replaces the tags of the key's current version on the
// pool that holds it.
func (l *Layers) PutObjectTags(ctx context.Context, bucket, key string,
	tags map[string]string) (object.ObjectInfo, error) {
	if s := l.single(); s != nil {
		t, err := capability[object.ObjectTagger](s)
		if err != nil {
			return object.ObjectInfo{}, err
		}
		return t.PutObjectTags(ctx, bucket, key, tags)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	i, err := l.holder(l.heads(ctx, bucket, key))
	if err != nil {
		return object.ObjectInfo{}, err
	}
	t, err := capability[object.ObjectTagger](l.pools[i].Layer)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	return t.PutObjectTags(ctx, bucket, key, tags)
}
