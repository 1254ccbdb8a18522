package object

import "context"

// KeyVersionLister is a Layer that can list the versions of one key
// without listing its bucket.
type KeyVersionLister interface {
	// KeyVersions returns every version of bucket/key, delete markers
	// included, newest first; none when the key holds none, and
	// ErrBucketNotFound when the bucket is missing.
	KeyVersions(ctx context.Context, bucket, key string) ([]ObjectInfo, error)
}

var _ KeyVersionLister = (*ErasureLayer)(nil)

// KeyVersions implements KeyVersionLister: it reads the key's meta files
// alone.
func (l *ErasureLayer) KeyVersions(ctx context.Context, bucket, key string) ([]ObjectInfo,
	error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	stored, err := l.set.KeyVersions(ctx, bucket, key)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]ObjectInfo, len(stored))
	for i, v := range stored {
		out[i] = objectInfo(v)
	}
	return out, nil
}
