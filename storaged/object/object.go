// Package object is storaged's bucket and object layer: it owns the meaning
// of buckets and objects (names, metadata, listing order, ETags) and stores
// them through the erasure layer. It knows nothing about HTTP, signatures or
// XML; the S3 surface in storaged/s3api calls it through the Layer interface.
//
// Every method is safe for concurrent use. No method ever makes a partial
// object visible: a PutObject either commits the whole object on a write
// quorum of drives or leaves the previous state untouched.
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
)

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// ObjectInfo describes a stored object. It is what HeadObject returns and
// what GetObject returns beside the body.
type ObjectInfo struct {
	Bucket  string
	Key     string
	Size    int64
	ModTime time.Time
	// ETag is the lowercase hex MD5 of the body, without quotes.
	ETag        string
	ContentType string
	// UserMetadata holds the x-amz-meta-* values, keyed by the lowercase
	// name without the prefix.
	UserMetadata map[string]string
	// Checksums holds additional checksums recorded at upload, keyed by
	// algorithm name (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), each the
	// base64 value S3 sends in x-amz-checksum-*.
	Checksums map[string]string
}

// PutOptions carries what PutObject stores beside the bytes.
type PutOptions struct {
	ContentType  string
	UserMetadata map[string]string
	// Checksums, when set, is called once the body has been read to io.EOF
	// without error and before the object is committed; what it returns is
	// recorded in ObjectInfo.Checksums. The S3 layer verifies the checksums
	// in its body reader, which returns an error instead of io.EOF on a
	// mismatch, so a bad body never reaches this call.
	Checksums func() map[string]string
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

// Layer is the object store of one storaged node as the S3 API sees it.
type Layer interface {
	// MakeBucket creates an empty bucket.
	MakeBucket(ctx context.Context, bucket string) error
	// HeadBucket returns the bucket's info or ErrBucketNotFound.
	HeadBucket(ctx context.Context, bucket string) (BucketInfo, error)
	// ListBuckets returns every bucket in name order.
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// DeleteBucket removes an empty bucket.
	DeleteBucket(ctx context.Context, bucket string) error

	// PutObject stores r as the object's whole content, replacing any
	// previous object under the key only once the new one is committed.
	// size is the exact body length, or -1 when unknown. PutObject reads r
	// to io.EOF; any read error aborts the write and is returned wrapped.
	PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64,
		opts PutOptions) (ObjectInfo, error)
	// GetObject returns the object's info and a reader over rng (the whole
	// object when rng is nil). The caller must Close the reader. Bytes that
	// fail their block hash are never returned: they are rebuilt from the
	// other shards, or the read fails.
	GetObject(ctx context.Context, bucket, key string, rng *Range) (ObjectInfo, io.ReadCloser, error)
	// HeadObject returns the object's info.
	HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error)
	// DeleteObject removes the object. Deleting a missing key in an
	// existing bucket succeeds, as in S3.
	DeleteObject(ctx context.Context, bucket, key string) error
	// ListObjects returns one page of the bucket's keys.
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListResult, error)
}

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
