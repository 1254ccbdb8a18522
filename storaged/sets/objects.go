package sets

import (
	"context"
	"io"

	"github.com/strata-storage/strata/storaged/object"
)

// PutObject stores the object on its set.
func (l *Layers) PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64,
	opts object.PutOptions) (object.ObjectInfo, error) {
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	return l.of(bucket, key).PutObject(ctx, bucket, key, r, size, opts)
}

// GetObject reads the object from its set.
func (l *Layers) GetObject(ctx context.Context, bucket, key string,
	rng *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	return l.of(bucket, key).GetObject(ctx, bucket, key, rng)
}

// HeadObject describes the object from its set.
func (l *Layers) HeadObject(ctx context.Context, bucket, key string) (object.ObjectInfo, error) {
	return l.of(bucket, key).HeadObject(ctx, bucket, key)
}

// DeleteObject removes the object from its set.
func (l *Layers) DeleteObject(ctx context.Context, bucket, key string) error {
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return err
	}
	defer unlock()
	return l.of(bucket, key).DeleteObject(ctx, bucket, key)
}

// PutObjectTags replaces the object's tags on its set.
func (l *Layers) PutObjectTags(ctx context.Context, bucket, key string,
	tags map[string]string) (object.ObjectInfo, error) {
	t, err := capability[object.ObjectTagger](l.of(bucket, key))
	if err != nil {
		return object.ObjectInfo{}, err
	}
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	return t.PutObjectTags(ctx, bucket, key, tags)
}
