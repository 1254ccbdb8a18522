package object

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/strata-storage/strata/storaged/erasure"
)

// ErasureLayer is the Layer of a node whose objects live on one erasure
// set. It adds S3's meaning to the set's storage: name rules, ETags, user
// metadata and checksums, tags, multipart uploads, ranges, and listing
// pages.
//
// Errors from the erasure package are returned wrapped in this package's
// sentinels (erasure.ErrWriteQuorum becomes ErrWriteQuorum, and so on), with
// the erasure error still in the chain. The erasure package never imports
// this one.
//
// An ErasureLayer runs one goroutine, the stale-upload cleaner, until
// Close.
type ErasureLayer struct {
	set       *erasure.Set
	rrsParity int
	cleaner   *cleaner
}

var (
	_ Layer        = (*ErasureLayer)(nil)
	_ Versioned    = (*ErasureLayer)(nil)
	_ Multipart    = (*ErasureLayer)(nil)
	_ ObjectTagger = (*ErasureLayer)(nil)
	_ BucketTagger = (*ErasureLayer)(nil)
)

// Defaults of ErasureConfig.
const (
	// DefaultUploadExpiry is how old an unfinished multipart upload grows
	// before the cleaner aborts it.
	DefaultUploadExpiry = 7 * 24 * time.Hour
	// DefaultCleanInterval is how often the cleaner looks for stale
	// uploads after its first pass at start.
	DefaultCleanInterval = 6 * time.Hour
)

// ErasureConfig configures an ErasureLayer.
type ErasureConfig struct {
	// Set stores everything. Required.
	Set *erasure.Set
	// UploadExpiry is the age at which the cleaner aborts an unfinished
	// multipart upload: DefaultUploadExpiry when zero; a negative value
	// turns the cleaner off.
	UploadExpiry time.Duration
	// CleanInterval is the time between cleaner passes:
	// DefaultCleanInterval when zero.
	CleanInterval time.Duration
	// OnClean, when set, is told the outcome of every cleaner pass. It is
	// called from the cleaner's goroutine.
	OnClean func(aborted int, err error)
	// ReducedRedundancyParity is the parity of objects written with the
	// REDUCED_REDUNDANCY storage class: 1 to the set's parity, or 0 to
	// store them with the set's parity. Either way the object keeps its
	// class and reports it, as S3 clients expect.
	ReducedRedundancyParity int
}

// NewErasureLayer returns a Layer that stores everything on set, with the
// default upload expiry. Its cleaner aborts stale uploads at once and then
// periodically; Close stops it.
func NewErasureLayer(set *erasure.Set) *ErasureLayer {
	l, err := NewErasureLayerFromConfig(ErasureConfig{Set: set})
	if err != nil {
		panic(err) // only a nil set fails, and that is a programming error
	}
	return l
}

// NewErasureLayerFromConfig validates cfg and returns the Layer it
// describes, its cleaner started.
func NewErasureLayerFromConfig(cfg ErasureConfig) (*ErasureLayer, error) {
	if cfg.Set == nil {
		return nil, errors.New("object: ErasureConfig.Set is nil; pass the erasure set to store on")
	}
	if cfg.CleanInterval < 0 {
		return nil, fmt.Errorf("object: ErasureConfig.CleanInterval %s is negative",
			cfg.CleanInterval)
	}
	if p, max := cfg.ReducedRedundancyParity, cfg.Set.ParityShards(); p < 0 || p > max {
		return nil, fmt.Errorf("object: ErasureConfig.ReducedRedundancyParity %d; give 1 to "+
			"the set's parity %d, or 0 for the set's parity", p, max)
	}
	if cfg.UploadExpiry == 0 {
		cfg.UploadExpiry = DefaultUploadExpiry
	}
	if cfg.CleanInterval == 0 {
		cfg.CleanInterval = DefaultCleanInterval
	}
	l := &ErasureLayer{set: cfg.Set, rrsParity: cfg.ReducedRedundancyParity}
	if cfg.UploadExpiry > 0 {
		l.cleaner = startCleaner(l, cfg)
	}
	return l, nil
}

// Close stops the stale-upload cleaner and waits for a pass in flight. It
// is idempotent; the layer still serves requests afterwards.
func (l *ErasureLayer) Close() error {
	if l.cleaner != nil {
		l.cleaner.stop()
	}
	return nil
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

	mode, err := l.mode(ctx, bucket)
	if err != nil {
		return ObjectInfo{}, err
	}
	parity, err := l.parity(&opts.Metadata)
	if err != nil {
		return ObjectInfo{}, err
	}
	b := newBody(r, size)
	info, err := l.set.Put(ctx, bucket, key, b, erasure.PutOptions{
		Metadata: func() (map[string]string, error) {
			return storedMetadata(opts, b.etag()), nil
		},
		Precondition: precondition(opts.Precondition),
		Mode:         mode,
		Parity:       parity,
	})
	if err != nil {
		return ObjectInfo{}, mapErr(err)
	}
	return objectInfo(info), nil
}

// parity returns the parity of an object of md's storage class (0: the
// set's) and records STANDARD as the empty class. Classes other than
// STANDARD and REDUCED_REDUNDANCY are ErrInvalidStorageClass.
func (l *ErasureLayer) parity(md *Metadata) (int, error) {
	switch md.StorageClass {
	case "", StorageClassStandard:
		md.StorageClass = ""
		return 0, nil
	case StorageClassReducedRedundancy:
		return l.rrsParity, nil
	}
	return 0, fmt.Errorf("%w: %.40q", ErrInvalidStorageClass, md.StorageClass)
}

// ErrInvalidStorageClass means a write named a storage class the layer
// does not keep: only STANDARD and REDUCED_REDUNDANCY are.
var ErrInvalidStorageClass = errors.New("object: storage class not kept")

// precondition adapts a Precondition to the erasure layer's object info.
func precondition(fn func(*ObjectInfo) error) func(*erasure.ObjectInfo) error {
	if fn == nil {
		return nil
	}
	return func(cur *erasure.ObjectInfo) error {
		if cur == nil {
			return fn(nil)
		}
		info := objectInfo(*cur)
		return fn(&info)
	}
}

// PutObjectTags replaces the object's tags in its metadata; its bytes,
// ETag and modification time stay.
func (l *ErasureLayer) PutObjectTags(ctx context.Context, bucket, key string,
	tags map[string]string) (ObjectInfo, error) {
	if _, err := l.open(ctx, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	return l.updateTags(ctx, bucket, key, tags, erasure.UpdateOptions{})
}

// updateTags replaces the tags of the version opts names.
func (l *ErasureLayer) updateTags(ctx context.Context, bucket, key string, tags map[string]string,
	opts erasure.UpdateOptions) (ObjectInfo, error) {
	opts.Metadata = func(cur erasure.ObjectInfo) (map[string]string, error) {
		return withTags(cur.Metadata, tags), nil
	}
	info, err := l.set.Update(ctx, bucket, key, opts)
	if err != nil {
		return ObjectInfo{}, mapErr(err)
	}
	return objectInfo(info), nil
}

// bucketTagsConfig names the bucket configuration record of its tags.
const bucketTagsConfig = "tags.json"

// PutBucketTags stores the bucket's tags, or removes them when tags is
// empty.
func (l *ErasureLayer) PutBucketTags(ctx context.Context, bucket string,
	tags map[string]string) error {
	if _, err := l.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	var data []byte
	if len(tags) > 0 {
		var err error
		if data, err = json.Marshal(tags); err != nil {
			return fmt.Errorf("object: encoding bucket tags: %w", err)
		}
	}
	return mapErr(l.set.PutBucketConfig(ctx, bucket, bucketTagsConfig, data))
}

// BucketTags returns the bucket's tags, nil when it has none.
func (l *ErasureLayer) BucketTags(ctx context.Context, bucket string) (map[string]string, error) {
	if err := checkBucketName(bucket); err != nil {
		return nil, err
	}
	data, err := l.set.BucketConfig(ctx, bucket, bucketTagsConfig)
	if errors.Is(err, erasure.ErrConfigNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	var tags map[string]string
	if err := json.Unmarshal(data, &tags); err != nil {
		return nil, fmt.Errorf("object: decoding the tags of bucket %s: %w", bucket, err)
	}
	return tags, nil
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
	return l.read(ctx, o, rng)
}

// read returns an opened version's info and a reader over rng.
func (l *ErasureLayer) read(ctx context.Context, o *erasure.Object,
	rng *Range) (ObjectInfo, io.ReadCloser, error) {
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

// DeleteObject removes the object, or adds a delete marker in a bucket with
// versioning; a missing key in an existing bucket is no error.
func (l *ErasureLayer) DeleteObject(ctx context.Context, bucket, key string) error {
	_, err := l.DeleteObjectVersion(ctx, bucket, key, "")
	return err
}

// ListObjects returns one page of the bucket's keys.
func (l *ErasureLayer) ListObjects(ctx context.Context, bucket string,
	opts ListOptions) (ListResult, error) {
	if err := checkBucketName(bucket); err != nil {
		return ListResult{}, err
	}
	// TODO: every page reads the metadata of every object in the bucket; a walk that starts at
	// the marker and stops after MaxKeys would read one page.
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
	var dm *erasure.DeleteMarkerError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &dm):
		to = &DeleteMarkerError{VersionID: versionOut(dm.VersionID), Latest: dm.Latest}
	case errors.Is(err, erasure.ErrVersionNotFound):
		to = ErrVersionNotFound
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
	case errors.Is(err, erasure.ErrUploadNotFound):
		to = ErrNoSuchUpload
	case errors.Is(err, erasure.ErrInvalidAssembly):
		to = ErrInvalidPart
	default:
		return err
	}
	return fmt.Errorf("%w: %w", to, err)
}
