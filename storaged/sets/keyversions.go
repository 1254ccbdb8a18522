package sets

import (
	"context"

	"github.com/strata-storage/strata/storaged/object"
)

var _ object.KeyVersionLister = (*Layers)(nil)

// KeyVersions lists the versions of bucket/key on the set that holds it.
func (l *Layers) KeyVersions(ctx context.Context, bucket, key string) ([]object.ObjectInfo,
	error) {
	s, err := capability[object.KeyVersionLister](l.of(bucket, key))
	if err != nil {
		return nil, err
	}
	return s.KeyVersions(ctx, bucket, key)
}
