package sets

import (
	"context"
	"io"

	"github.com/strata-storage/strata/storaged/object"
)

var _ object.VersionRestorer = (*Layers)(nil)

// RestoreVersion restores a version on the key's set, holding the key.
func (l *Layers) RestoreVersion(ctx context.Context, bucket, key string, r io.Reader,
	info object.ObjectInfo) (object.ObjectInfo, error) {
	v, err := capability[object.VersionRestorer](l.of(bucket, key))
	if err != nil {
		return object.ObjectInfo{}, err
	}
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	return v.RestoreVersion(ctx, bucket, key, r, info)
}
