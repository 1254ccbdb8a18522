package object

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Versioning states of a bucket, as S3 names them. A bucket that never had
// versioning has the state "".
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// NullVersion is the version ID of the null version: the only version of a
// key in a bucket that never had versioning, and the version that writes
// make while versioning is suspended.
const NullVersion = "null"

// Errors of versioned operations.
var (
	// ErrVersionNotFound means the key has no version of that ID
	// (NoSuchVersion, 404).
	ErrVersionNotFound = errors.New("object: version not found")
	// ErrDeleteMarker means a read or change named a version that is a
	// delete marker (MethodNotAllowed, 405).
	ErrDeleteMarker = errors.New("object: the version is a delete marker")
	// ErrInvalidVersionID means a version ID has a shape no version can
	// have (InvalidArgument).
	ErrInvalidVersionID = errors.New("object: invalid version ID")
	// ErrInvalidVersioning means a versioning state other than Enabled
	// or Suspended (MalformedXML).
	ErrInvalidVersioning = errors.New("object: invalid versioning state")
)

// DeleteMarkerError is the error of a read that found a delete marker. As
// the current version of the key (Latest) it wraps ErrObjectNotFound; as
// a version the read named, ErrDeleteMarker. S3 answers both with
// x-amz-delete-marker: true and the marker's version ID.
type DeleteMarkerError struct {
	VersionID string
	Latest    bool
}

func (e *DeleteMarkerError) Error() string {
	return fmt.Sprintf("object: version %s is a delete marker", e.VersionID)
}

// Unwrap returns ErrObjectNotFound for the current version, ErrDeleteMarker
// for a named one.
func (e *DeleteMarkerError) Unwrap() error {
	if e.Latest {
		return ErrObjectNotFound
	}
	return ErrDeleteMarker
}

// DeleteResult says what a delete did: the version it removed or added,
// and whether that version is a delete marker.
type DeleteResult struct {
	VersionID    string
	DeleteMarker bool
}

// ListVersionsOptions are the inputs of ListObjectVersions. KeyMarker and
// VersionIDMarker are exclusive: with both, listing starts after that
// version of that key; with KeyMarker alone, after every version of it.
// MaxKeys is 1000 when not positive.
type ListVersionsOptions struct {
	Prefix          string
	Delimiter       string
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int
}

// ListVersionsResult is one page of versions, delete markers included, by
// key and then newest first. Grouping works as in ListResult; the next
// markers are set only when IsTruncated.
type ListVersionsResult struct {
	Versions            []ObjectInfo
	CommonPrefixes      []string
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// Versioned is a Layer whose buckets can keep every version of their
// keys. Its core methods follow the bucket's state: PutObject and
// CompleteMultipartUpload add versions, DeleteObject adds delete markers,
// reads see the current version. Version IDs are NullVersion or IDs the
// layer gave; any other shape is ErrInvalidVersionID.
type Versioned interface {
	// PutBucketVersioning sets the bucket's state: VersioningEnabled or
	// VersioningSuspended. A bucket never returns to "".
	PutBucketVersioning(ctx context.Context, bucket, state string) error
	// BucketVersioning returns the bucket's state.
	BucketVersioning(ctx context.Context, bucket string) (string, error)
	// GetObjectVersion is GetObject for one version.
	GetObjectVersion(ctx context.Context, bucket, key, versionID string,
		rng *Range) (ObjectInfo, io.ReadCloser, error)
	// HeadObjectVersion is HeadObject for one version.
	HeadObjectVersion(ctx context.Context, bucket, key, versionID string) (ObjectInfo, error)
	// DeleteObjectVersion removes the version for good, or, with
	// versionID "", deletes the key as the bucket's state says (a delete
	// marker unless the bucket never had versioning).
	DeleteObjectVersion(ctx context.Context, bucket, key, versionID string) (DeleteResult, error)
	// ListObjectVersions returns one page of the bucket's versions.
	ListObjectVersions(ctx context.Context, bucket string,
		opts ListVersionsOptions) (ListVersionsResult, error)
	// PutObjectVersionTags is PutObjectTags for one version.
	PutObjectVersionTags(ctx context.Context, bucket, key, versionID string,
		tags map[string]string) (ObjectInfo, error)
}

// checkVersionID accepts NullVersion and the IDs the layer gives: 26
// characters of the base32 alphabet.
func checkVersionID(id string) error {
	if id == NullVersion {
		return nil
	}
	if len(id) != 26 || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		return fmt.Errorf("%w: %.40q", ErrInvalidVersionID, id)
	}
	return nil
}
