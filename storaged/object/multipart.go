package object

import (
	"context"
	"io"
	"time"
)

// Multipart is a Layer that serves multipart uploads. An upload belongs to
// one bucket and key: calls that name it with another key get
// ErrNoSuchUpload. Every method is safe for concurrent use.
type Multipart interface {
	// NewMultipartUpload starts an upload of bucket/key that will carry
	// opts once completed, and returns its ID.
	NewMultipartUpload(ctx context.Context, bucket, key string,
		opts UploadOptions) (UploadInfo, error)
	// MultipartUpload returns an upload in progress.
	MultipartUpload(ctx context.Context, bucket, key, uploadID string) (UploadInfo, error)
	// PutObjectPart stores r as part number (1 to MaxPartNumber) of the
	// upload, replacing a part of that number once the new one is
	// committed. size and reading are as in PutObject; Checksums records
	// the part's checksums.
	PutObjectPart(ctx context.Context, bucket, key, uploadID string, number int, r io.Reader,
		size int64, opts PartOptions) (PartInfo, error)
	// CompleteMultipartUpload makes the object of the upload from the
	// listed parts, which must be in ascending order (ErrInvalidPartOrder),
	// uploaded with the ETags given (ErrInvalidPart), and at least
	// MinPartSize long except the last (ErrEntityTooSmall). The object
	// appears whole or not at all, and the upload is gone once it does.
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string,
		parts []CompletePart, opts CompleteOptions) (ObjectInfo, error)
	// AbortMultipartUpload removes an upload and its parts.
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	// ListParts returns one page of an upload's parts, in part order.
	ListParts(ctx context.Context, bucket, key, uploadID string,
		opts ListPartsOptions) (ListPartsResult, error)
	// ListMultipartUploads returns one page of the bucket's uploads in
	// progress, ordered by key, then initiation time.
	ListMultipartUploads(ctx context.Context, bucket string,
		opts ListUploadsOptions) (ListUploadsResult, error)
}

// UploadOptions are what NewMultipartUpload records for the object the
// upload will make.
type UploadOptions struct {
	Metadata
	Tags map[string]string
	// ChecksumAlgorithm is the x-amz-checksum-algorithm every part must
	// carry (an S3 checksum name such as CRC32 or XXHASH64), or "".
	ChecksumAlgorithm string
	// ChecksumType is COMPOSITE or FULL_OBJECT when ChecksumAlgorithm is
	// set.
	ChecksumType string
}

// UploadInfo describes a multipart upload in progress.
type UploadInfo struct {
	Bucket    string
	Key       string
	UploadID  string
	Initiated time.Time
	UploadOptions
}

// PartOptions carries what PutObjectPart records beside the bytes.
type PartOptions struct {
	// Checksums is PutOptions.Checksums for the part.
	Checksums func() map[string]string
}

// PartInfo describes one uploaded part, or one part of a multipart object.
type PartInfo struct {
	Number int
	Size   int64
	// ETag is the lowercase hex MD5 of the part, without quotes.
	ETag string
	// ModTime is when the part was uploaded; zero in an object's parts.
	ModTime time.Time
	// Checksums are the part's checksums, keyed as ObjectInfo.Checksums.
	Checksums map[string]string
}

// CompletePart is one part as CompleteMultipartUpload names it.
type CompletePart struct {
	Number int
	// ETag is compared without quotes.
	ETag string
	// Checksums, when set, must match the part's recorded checksums of
	// the same algorithms.
	Checksums map[string]string
}

// CompleteOptions are the optional inputs of CompleteMultipartUpload.
type CompleteOptions struct {
	// Checksums, when set, is called with the upload and the parts that
	// make the object, in order, under the upload's lock; it returns the
	// object's checksums and their type (COMPOSITE or FULL_OBJECT). An
	// error from it aborts the completion and is returned wrapped.
	Checksums func(up UploadInfo, parts []PartInfo) (map[string]string, string, error)
	// Precondition is PutOptions.Precondition for the completed object.
	Precondition func(current *ObjectInfo) error
}

// ListPartsOptions are the inputs of ListParts: parts after Marker, at
// most MaxParts of them (1000 when not positive).
type ListPartsOptions struct {
	Marker   int
	MaxParts int
}

// ListPartsResult is one page of an upload's parts. NextMarker is the last
// part number returned, set only when IsTruncated.
type ListPartsResult struct {
	Upload      UploadInfo
	Parts       []PartInfo
	IsTruncated bool
	NextMarker  int
}

// ListUploadsOptions are the inputs of ListMultipartUploads. KeyMarker and
// UploadIDMarker are exclusive: with both, listing starts after that
// upload of that key; with KeyMarker alone, after every upload of that
// key. MaxUploads is 1000 when not positive.
type ListUploadsOptions struct {
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int
}

// ListUploadsResult is one page of uploads. When a delimiter groups keys,
// each group appears once in CommonPrefixes and counts once against
// MaxUploads. The next markers are set only when IsTruncated.
type ListUploadsResult struct {
	Uploads            []UploadInfo
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}
