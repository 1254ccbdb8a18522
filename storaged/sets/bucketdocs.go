package sets

import (
	"context"

	"github.com/strata-storage/strata/storaged/object"
)

// A bucket's documents (its policy and CORS configuration) live with its
// tags on set 0, the bucket's record, written under the bucket's lock.

var (
	_ object.BucketPolicyStore = (*Layers)(nil)
	_ object.BucketCORSStore   = (*Layers)(nil)
)

// PutBucketPolicy stores the bucket's policy, or removes it when doc is nil.
func (l *Layers) PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error {
	return putBucketDoc(ctx, l, bucket, func(s object.BucketPolicyStore) error {
		return s.PutBucketPolicy(ctx, bucket, doc)
	})
}

// BucketPolicy returns the bucket's policy, nil when it has none.
func (l *Layers) BucketPolicy(ctx context.Context, bucket string) ([]byte, error) {
	s, err := capability[object.BucketPolicyStore](l.sets[0])
	if err != nil {
		return nil, err
	}
	return s.BucketPolicy(ctx, bucket)
}

// PutBucketCORS stores the bucket's CORS configuration, or removes it when
// doc is nil.
func (l *Layers) PutBucketCORS(ctx context.Context, bucket string, doc []byte) error {
	return putBucketDoc(ctx, l, bucket, func(s object.BucketCORSStore) error {
		return s.PutBucketCORS(ctx, bucket, doc)
	})
}

// BucketCORS returns the bucket's CORS configuration, nil when it has
// none.
func (l *Layers) BucketCORS(ctx context.Context, bucket string) ([]byte, error) {
	s, err := capability[object.BucketCORSStore](l.sets[0])
	if err != nil {
		return nil, err
	}
	return s.BucketCORS(ctx, bucket)
}

// putBucketDoc runs put on set 0's capability C under the bucket's lock.
func putBucketDoc[C any](ctx context.Context, l *Layers, bucket string, put func(C) error) error {
	s, err := capability[C](l.sets[0])
	if err != nil {
		return err
	}
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	return put(s)
}
