// Package object is storaged's bucket and object layer: it owns the meaning
// of buckets and objects (names, metadata, tags, listing order, ETags, the
// rules of multipart uploads) and stores them through the erasure layer. It
// knows nothing about HTTP, signatures or XML; the S3 surface in
// storaged/s3api calls it through the Layer interface and the optional
// Multipart, ObjectTagger, BucketTagger, BucketCORSStore, Versioned and
// ObjectLocker interfaces. It keeps the documents of the
// BucketLifecycleStore and the figures of the BucketQuotaStore without
// acting on them.
//
// Every method is safe for concurrent use. No method ever makes a partial
// object visible: a PutObject or a CompleteMultipartUpload either commits
// the whole object on a write quorum of drives or leaves the previous state
// untouched. A write's Precondition is checked under the key's lock, with
// the commit.
//
// Choices where S3 leaves room:
//
//   - An object made by a multipart upload keeps its parts as they were
//     uploaded (each its own shard files); its ETag is S3's multipart ETag,
//     and completing never copies bytes.
//   - Multipart uploads not completed within ErasureConfig.UploadExpiry
//     (a week by default) are aborted by a cleaner that runs when the
//     layer starts and every CleanInterval after; Close stops it.
//   - Completing an upload that is already complete is ErrNoSuchUpload:
//     the upload is gone once its object exists.
//   - A bucket's versioning state is read from its configuration on every
//     write and delete. Version IDs are 26 base32 characters; the null
//     version is NullVersion. Every version of a key lives in one meta
//     file, so a key with very many versions makes every read of it
//     slower.
//   - Metadata.StorageClass keeps STANDARD (recorded as "") and
//     REDUCED_REDUNDANCY. A REDUCED_REDUNDANCY object or upload is coded
//     with ErasureConfig.ReducedRedundancyParity parity shards, or the
//     set's parity when that is 0, and reports its class either way. The
//     version keeps its geometry: its quorum, reads and healing follow it.
package object

import (
	"context"
	"errors"
	"io"
	"time"
)

// Errors returned by a Layer. Callers test them with errors.Is; the S3 layer
// maps each to its S3 error code.
var (
	// ErrBucketNotFound means the bucket does not exist (NoSuchBucket).
	ErrBucketNotFound = errors.New("object: bucket not found")
	// ErrBucketExists means CreateBucket named a bucket that already exists
	// (BucketAlreadyOwnedByYou: a tenant has one owner).
	ErrBucketExists = errors.New("object: bucket already exists")
	// ErrBucketNotEmpty means DeleteBucket found objects (BucketNotEmpty).
	ErrBucketNotEmpty = errors.New("object: bucket not empty")
	// ErrInvalidBucketName means the name breaks the S3 bucket naming rules
	// or is reserved (InvalidBucketName).
	ErrInvalidBucketName = errors.New("object: invalid bucket name")
	// ErrObjectNotFound means the key does not exist (NoSuchKey).
	ErrObjectNotFound = errors.New("object: object not found")
	// ErrInvalidObjectName means the key is empty, not UTF-8, or longer
	// than 1024 bytes (KeyTooLongError for the length).
	ErrInvalidObjectName = errors.New("object: invalid object name")
	// ErrKeyTooLong means the key is longer than 1024 bytes (KeyTooLongError).
	ErrKeyTooLong = errors.New("object: key longer than 1024 bytes")
	// ErrInvalidRange means a requested range lies outside the object
	// (InvalidRange, 416).
	ErrInvalidRange = errors.New("object: range not satisfiable")
	// ErrReadQuorum means too few drives answered to read the object
	// (SlowDown/ServiceUnavailable, 503). No bytes are returned.
	ErrReadQuorum = errors.New("object: read quorum not available")
	// ErrWriteQuorum means too few drives took the write; nothing was
	// committed (503).
	ErrWriteQuorum = errors.New("object: write quorum not available")
	// ErrIncompleteBody means the body ended before the declared size
	// (IncompleteBody, 400). Nothing was committed.
	ErrIncompleteBody = errors.New("object: body shorter than declared size")
	// ErrNoSuchUpload means the multipart upload does not exist, or
	// belongs to another key; it may have been completed or aborted
	// (NoSuchUpload, 404).
	ErrNoSuchUpload = errors.New("object: multipart upload not found")
	// ErrInvalidPart means CompleteMultipartUpload named a part that was
	// not uploaded, or whose ETag or checksum does not match (InvalidPart).
	ErrInvalidPart = errors.New("object: invalid part")
	// ErrInvalidPartOrder means the parts of CompleteMultipartUpload are
	// not in ascending order (InvalidPartOrder).
	ErrInvalidPartOrder = errors.New("object: parts not in ascending order")
	// ErrEntityTooSmall means a part other than the last is smaller than
	// MinPartSize (EntityTooSmall).
	ErrEntityTooSmall = errors.New("object: part smaller than the minimum")
	// ErrPreconditionFailed is what a Precondition returns to refuse a
	// write (PreconditionFailed, 412); the object layer passes it on.
	ErrPreconditionFailed = errors.New("object: precondition failed")
)

// Limits of multipart uploads, as in S3.
const (
	// MinPartSize is the smallest part, other than the last, that
	// CompleteMultipartUpload accepts.
	MinPartSize = 5 << 20
	// MaxPartNumber is the highest part number.
	MaxPartNumber = 10000
)

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// Metadata is what an object carries besides its bytes, as the client set
// it: the standard HTTP headers S3 stores and the user metadata.
type Metadata struct {
	ContentType        string
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	// Expires is kept as the client sent it.
	Expires string
	// UserMetadata holds the x-amz-meta-* values, keyed by the lowercase
	// name without the prefix.
	UserMetadata map[string]string
	// Lock is the version's Object Lock retention and legal hold (see
	// ObjectLocker). A copy does not carry its source's.
	Lock ObjectLock
	// StorageClass is the S3 storage class the object was written with:
	// "" for STANDARD, or StorageClassReducedRedundancy, which the layer
	// stores with its reduced parity (see ErasureConfig).
	StorageClass string
}

// S3 storage classes the layer keeps.
const (
	StorageClassStandard          = "STANDARD"
	StorageClassReducedRedundancy = "REDUCED_REDUNDANCY"
)

// Class returns the object's storage class as S3 names it: STANDARD when
// StorageClass is empty.
func (m Metadata) Class() string {
	if m.StorageClass == "" {
		return StorageClassStandard
	}
	return m.StorageClass
}

// ObjectInfo describes a stored object. It is what HeadObject returns and
// what GetObject returns beside the body.
type ObjectInfo struct {
	Bucket  string
	Key     string
	Size    int64
	ModTime time.Time
	// ETag is the lowercase hex MD5 of the body, without quotes; for an
	// object made by a multipart upload it is the hex MD5 of the parts'
	// binary MD5s followed by "-" and the number of parts.
	ETag string
	Metadata
	// Tags are the object's tags; nil when it has none.
	Tags map[string]string
	// Checksums holds additional checksums recorded at upload, keyed by
	// algorithm name (CRC32, SHA256, XXHASH64 and the rest), each the
	// base64 value S3 sends in x-amz-checksum-* (with a "-N" suffix for a
	// composite checksum of N parts).
	Checksums map[string]string
	// ChecksumType is FULL_OBJECT or COMPOSITE when Checksums is set.
	ChecksumType string
	// Parts lists the parts of an object made by a multipart upload, in
	// object order; nil for an object written whole.
	Parts []PartInfo
	// VersionID names the version: NullVersion, or an ID the layer gave
	// in a bucket with versioning enabled.
	VersionID string
	// IsLatest is true for the current version of the key.
	IsLatest bool
	// DeleteMarker is true for a version that marks the key deleted; it
	// appears only in version listings.
	DeleteMarker bool
}

// PutOptions carries what PutObject stores beside the bytes.
type PutOptions struct {
	Metadata
	// Tags are stored with the object; the S3 layer checks S3's limits.
	Tags map[string]string
	// Checksums, when set, is called once the body has been read to io.EOF
	// without error and before the object is committed; what it returns is
	// recorded in ObjectInfo.Checksums as a FULL_OBJECT checksum. The S3
	// layer verifies the checksums in its body reader, which returns an
	// error instead of io.EOF on a mismatch, so a bad body never reaches
	// this call.
	Checksums func() map[string]string
	// Precondition, when set, is called with the object the write would
	// replace (nil when the key holds none), under the key's lock just
	// before the commit, so that no other write to the key on this node
	// comes between the check and the write. An error from it aborts the
	// write and is returned wrapped; the current object stays as it was.
	Precondition func(current *ObjectInfo) error
}

// Range selects bytes [Start, Start+Length) of an object. Use ResolveRange
// to turn an HTTP Range header's forms into one.
type Range struct {
	Start  int64
	Length int64
}

// ListOptions are the inputs of a ListObjects call. Marker is exclusive:
// listing starts after it (S3's start-after, marker and decoded continuation
// token all map to it).
type ListOptions struct {
	Prefix    string
	Delimiter string
	Marker    string
	MaxKeys   int
}

// ListResult is one page of a listing, in UTF-8 binary key order. When a
// delimiter groups keys, each group appears once in CommonPrefixes and
// counts once against MaxKeys. NextMarker is the last key or common prefix
// returned, set only when IsTruncated.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	NextMarker     string
}

// Layer is the object store of one storaged node as the S3 API sees it:
// buckets and whole objects. Every method is safe for concurrent use.
// Multipart uploads and tag changes are optional capabilities, the
// Multipart, ObjectTagger and BucketTagger interfaces; the S3 API answers
// NotImplemented for them on a Layer that lacks them.
type Layer interface {
	// MakeBucket creates an empty bucket.
	MakeBucket(ctx context.Context, bucket string) error
	// HeadBucket returns the bucket's info or ErrBucketNotFound.
	HeadBucket(ctx context.Context, bucket string) (BucketInfo, error)
	// ListBuckets returns every bucket in name order.
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// DeleteBucket removes an empty bucket; uploads in progress in it go
	// with it.
	DeleteBucket(ctx context.Context, bucket string) error

	// PutObject stores r as the object's whole content, replacing any
	// previous object under the key only once the new one is committed.
	// size is the exact body length, or -1 when unknown. PutObject reads r
	// to io.EOF; any read error aborts the write and is returned wrapped.
	// opts.Precondition is checked atomically with the commit.
	PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64,
		opts PutOptions) (ObjectInfo, error)
	// GetObject returns the object's info and a reader over rng (the whole
	// object when rng is nil). The caller must Close the reader. Bytes that
	// fail their block hash are never returned: they are rebuilt from the
	// other shards, or the read fails. The reader reads the version the
	// info describes even if the key is overwritten meanwhile.
	GetObject(ctx context.Context, bucket, key string,
		rng *Range) (ObjectInfo, io.ReadCloser, error)
	// HeadObject returns the object's info.
	HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error)
	// DeleteObject removes the object. Deleting a missing key in an
	// existing bucket succeeds, as in S3.
	DeleteObject(ctx context.Context, bucket, key string) error
	// ListObjects returns one page of the bucket's keys.
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListResult, error)
}

// ObjectTagger is a Layer that can change an object's tags in place.
type ObjectTagger interface {
	// PutObjectTags replaces the object's tags (nil removes them) without
	// changing its bytes, ETag or modification time.
	PutObjectTags(ctx context.Context, bucket, key string,
		tags map[string]string) (ObjectInfo, error)
}

// BucketTagger is a Layer that keeps bucket tags.
type BucketTagger interface {
	// PutBucketTags replaces the bucket's tags; nil or empty removes them.
	PutBucketTags(ctx context.Context, bucket string, tags map[string]string) error
	// BucketTags returns the bucket's tags, nil when it has none.
	BucketTags(ctx context.Context, bucket string) (map[string]string, error)
}

// BucketCORSStore is a Layer that keeps a bucket's CORS configuration.
// The layer stores the document as opaque bytes; the S3 layer owns its
// format and validates it before storing.
type BucketCORSStore interface {
	// PutBucketCORS stores doc as the bucket's CORS configuration,
	// replacing any previous one; nil or empty removes it. It is
	// idempotent; the layer does not keep doc after it returns.
	PutBucketCORS(ctx context.Context, bucket string, doc []byte) error
	// BucketCORS returns the bucket's CORS configuration, nil when it has
	// none. The caller owns the returned slice.
	BucketCORS(ctx context.Context, bucket string) ([]byte, error)
}

// BucketPolicyStore is a Layer that keeps a bucket's policy document. The
// layer stores the document as opaque bytes; storaged/s3api parses and
// validates it (with internal/policy) before storing and after reading.
type BucketPolicyStore interface {
	// PutBucketPolicy stores doc as the bucket's policy, replacing any
	// previous one; nil or empty removes it, and removing a policy the
	// bucket lacks succeeds. It returns ErrBucketNotFound for a missing
	// bucket. The layer does not keep doc after it returns.
	PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error
	// BucketPolicy returns the bucket's policy document, nil when it has
	// none. The caller owns the returned slice.
	BucketPolicy(ctx context.Context, bucket string) ([]byte, error)
}

// BucketLifecycleStore is a Layer that keeps a bucket's lifecycle
// configuration. The layer stores the document as opaque bytes;
// storaged/lifecycle owns its format and validates it before storing.
type BucketLifecycleStore interface {
	// PutBucketLifecycle stores doc as the bucket's lifecycle
	// configuration, replacing any previous one; nil or empty removes it,
	// and removing one the bucket lacks succeeds. It returns
	// ErrBucketNotFound for a missing bucket and is idempotent. The layer
	// does not keep doc after it returns.
	PutBucketLifecycle(ctx context.Context, bucket string, doc []byte) error
	// BucketLifecycle returns the bucket's lifecycle configuration, nil
	// when it has none. The caller owns the returned slice.
	BucketLifecycle(ctx context.Context, bucket string) ([]byte, error)
}

// BucketQuotaStore is a Layer that keeps a bucket's hard quota. The layer
// only stores the figures; storaged/s3api enforces them on writes.
type BucketQuotaStore interface {
	// PutBucketQuota sets the bucket's hard quota; the zero Quota removes
	// it, and removing one the bucket lacks succeeds. A negative limit is
	// ErrInvalidQuota. It returns ErrBucketNotFound for a missing bucket
	// and is idempotent.
	PutBucketQuota(ctx context.Context, bucket string, q Quota) error
	// BucketQuota returns the bucket's hard quota, the zero Quota when it
	// has none.
	BucketQuota(ctx context.Context, bucket string) (Quota, error)
}

// Quota is a bucket's hard limits. A zero field sets no limit of its kind.
type Quota struct {
	// Bytes is the most bytes the bucket's object versions may hold.
	Bytes int64
	// Objects is the most object versions the bucket may hold.
	Objects int64
}

// IsZero reports whether q limits nothing.
func (q Quota) IsZero() bool { return q.Bytes == 0 && q.Objects == 0 }

// ErrInvalidQuota means a quota limit is negative.
var ErrInvalidQuota = errors.New("object: invalid quota")

// ResolveRange turns the parts of an HTTP byte range into a Range over an
// object of the given size. first and last are -1 when absent: "a-" is
// (a, -1), "-n" is (-1, n) meaning the last n bytes, "a-b" is (a, b).
// It returns ErrInvalidRange when no byte of the object is selected.
func ResolveRange(first, last, size int64) (Range, error) {
	switch {
	case first < 0 && last < 0:
		return Range{}, ErrInvalidRange
	case first < 0: // suffix: the last n bytes
		if last == 0 || size == 0 {
			return Range{}, ErrInvalidRange
		}
		n := min(last, size)
		return Range{Start: size - n, Length: n}, nil
	case first >= size:
		return Range{}, ErrInvalidRange
	case last < 0 || last >= size:
		return Range{Start: first, Length: size - first}, nil
	case last < first:
		return Range{}, ErrInvalidRange
	default:
		return Range{Start: first, Length: last - first + 1}, nil
	}
}
