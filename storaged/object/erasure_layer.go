package object

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/strata-storage/strata/storaged/erasure"
)

// ErasureLayer is the Layer of a node whose objects live on one erasure
// set. It adds S3's meaning to the set's storage: name rules, ETags, user
// metadata and checksums, ranges, and listing pages.
//
// Errors from the erasure package are returned wrapped in this package's
// sentinels (erasure.ErrWriteQuorum becomes ErrWriteQuorum, and so on), with
// the erasure error still in the chain. The erasure package never imports
// this one.
type ErasureLayer struct {
	set *erasure.Set
}

var _ Layer = (*ErasureLayer)(nil)

// NewErasureLayer returns a Layer that stores everything on set.
func NewErasureLayer(set *erasure.Set) *ErasureLayer {
	return &ErasureLayer{set: set}
}

// MakeBucket creates an empty bucket on a write quorum of drives.
func (l *ErasureLayer) MakeBucket(ctx context.Context, bucket string) error {
	if err := checkBucketName(bucket); err != nil {
		return err
	}
	return mapErr(l.set.MakeBucket(ctx, bucket))
}

// HeadBucket returns the bucket's info.
func (l *ErasureLayer) HeadBucket(ctx context.Context, bucket string) (BucketInfo, error) {
	if err := checkBucketName(bucket); err != nil {
		return BucketInfo{}, err
	}
	b, err := l.set.StatBucket(ctx, bucket)
	if err != nil {
		return BucketInfo{}, mapErr(err)
	}
	return BucketInfo{Name: b.Name, Created: b.Created}, nil
}

// ListBuckets returns every bucket in name order.
func (l *ErasureLayer) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	list, err := l.set.ListBuckets(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]BucketInfo, len(list))
	for i, b := range list {
		out[i] = BucketInfo{Name: b.Name, Created: b.Created}
	}
	return out, nil
}

// DeleteBucket removes an empty bucket.
func (l *ErasureLayer) DeleteBucket(ctx context.Context, bucket string) error {
	if err := checkBucketName(bucket); err != nil {
		return err
	}
	return mapErr(l.set.DeleteBucket(ctx, bucket))
}

// PutObject stores r under the key. With a known size, a body that ends
// early is ErrIncompleteBody and a longer one is an error too; either way
// nothing is committed.
func (l *ErasureLayer) PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64,
	opts PutOptions) (ObjectInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if size < -1 {
		return ObjectInfo{}, fmt.Errorf("object: invalid body size %d", size)
	}
	if _, err := l.set.StatBucket(ctx, bucket); err != nil {
		return ObjectInfo{}, mapErr(err)
	}

	b := newBody(r, size)
	info, err := l.set.Put(ctx, bucket, key, b, erasure.PutOptions{
		Metadata: func() (map[string]string, error) {
			return storedMetadata(opts, b.etag()), nil
		},
	})
	if err != nil {
		return ObjectInfo{}, mapErr(err)
	}
	return objectInfo(info), nil
}

// GetObject returns the object's info and a reader over rng, or over the
// whole object when rng is nil. A range that starts at or after the end of
// the object is ErrInvalidRange; one that runs past the end is cut there.
func (l *ErasureLayer) GetObject(ctx context.Context, bucket, key string,
	rng *Range) (ObjectInfo, io.ReadCloser, error) {
	o, err := l.open(ctx, bucket, key)
	if err != nil {
		return ObjectInfo{}, nil, err
	}
	info := objectInfo(o.Info())
	off, n, err := clampRange(rng, info.Size)
	if err != nil {
		return ObjectInfo{}, nil, err
	}
	r, err := o.NewReader(ctx, off, n)
	if err != nil {
		return ObjectInfo{}, nil, mapErr(err)
	}
	return info, reader{r}, nil
}

// clampRange turns an optional Range into an offset and length inside an
// object of size bytes.
func clampRange(rng *Range, size int64) (off, n int64, err error) {
	if rng == nil {
		return 0, size, nil
	}
	if rng.Start < 0 || rng.Length <= 0 || rng.Start >= size {
		return 0, 0, fmt.Errorf("%w: start %d, length %d, object of %d bytes",
			ErrInvalidRange, rng.Start, rng.Length, size)
	}
	return rng.Start, min(rng.Length, size-rng.Start), nil
}

// HeadObject returns the object's info.
func (l *ErasureLayer) HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	o, err := l.open(ctx, bucket, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	return objectInfo(o.Info()), nil
}

// open checks the names and reads the object's metadata. A missing object
// is told apart from a missing bucket.
func (l *ErasureLayer) open(ctx context.Context, bucket, key string) (*erasure.Object, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	o, err := l.set.Open(ctx, bucket, key)
	if errors.Is(err, erasure.ErrObjectNotFound) {
		if _, berr := l.set.StatBucket(ctx, bucket); berr != nil {
			return nil, mapErr(berr)
		}
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return o, nil
}

// DeleteObject removes the object; a missing key in an existing bucket is
// no error.
func (l *ErasureLayer) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := checkNames(bucket, key); err != nil {
		return err
	}
	if _, err := l.set.StatBucket(ctx, bucket); err != nil {
		return mapErr(err)
	}
	return mapErr(l.set.Delete(ctx, bucket, key))
}

// ListObjects returns one page of the bucket's keys.
func (l *ErasureLayer) ListObjects(ctx context.Context, bucket string,
	opts ListOptions) (ListResult, error) {
	if err := checkBucketName(bucket); err != nil {
		return ListResult{}, err
	}
	// TODO: every page reads the metadata of every object in the bucket; a walk that starts at the marker and stops after MaxKeys would read one page.
	objects, err := l.set.List(ctx, bucket)
	if err != nil {
		return ListResult{}, mapErr(err)
	}
	return paginate(objects, opts), nil
}

// reader maps the errors of an erasure reader to this package's sentinels.
type reader struct {
	r *erasure.Reader
}

func (r reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = mapErr(err)
	}
	return n, err
}

func (r reader) Close() error { return r.r.Close() }

// mapErr wraps an erasure error in the matching sentinel of this package,
// keeping the original in the chain. Other errors pass unchanged.
func mapErr(err error) error {
	var to error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, erasure.ErrBucketNotFound):
		to = ErrBucketNotFound
	case errors.Is(err, erasure.ErrBucketExists):
		to = ErrBucketExists
	case errors.Is(err, erasure.ErrBucketNotEmpty):
		to = ErrBucketNotEmpty
	case errors.Is(err, erasure.ErrObjectNotFound):
		to = ErrObjectNotFound
	case errors.Is(err, erasure.ErrReadQuorum):
		to = ErrReadQuorum
	case errors.Is(err, erasure.ErrWriteQuorum):
		to = ErrWriteQuorum
	default:
		return err
	}
	return fmt.Errorf("%w: %w", to, err)
}
