package object

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/strata-storage/strata/storaged/erasure"
)

// versioningConfig names the bucket configuration record of its
// versioning state.
const versioningConfig = "versioning.json"

// versioningRecord is the content of that record.
type versioningRecord struct {
	Status string `json:"status"`
}

// versionIn turns a version ID of this package into the erasure layer's,
// whose null version is "".
func versionIn(id string) string {
	if id == NullVersion {
		return ""
	}
	return id
}

// versionOut turns an erasure version ID into this package's.
func versionOut(id string) string {
	if id == "" {
		return NullVersion
	}
	return id
}

// PutBucketVersioning stores the bucket's versioning state.
func (l *ErasureLayer) PutBucketVersioning(ctx context.Context, bucket, state string) error {
	if state != VersioningEnabled && state != VersioningSuspended {
		return fmt.Errorf("%w: %.40q", ErrInvalidVersioning, state)
	}
	if _, err := l.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	data, err := json.Marshal(versioningRecord{Status: state})
	if err != nil {
		return fmt.Errorf("object: encoding the versioning of %s: %w", bucket, err)
	}
	return mapErr(l.set.PutBucketConfig(ctx, bucket, versioningConfig, data))
}

// BucketVersioning returns the bucket's versioning state, "" when it never
// had one.
func (l *ErasureLayer) BucketVersioning(ctx context.Context, bucket string) (string, error) {
	if err := checkBucketName(bucket); err != nil {
		return "", err
	}
	data, err := l.set.BucketConfig(ctx, bucket, versioningConfig)
	if errors.Is(err, erasure.ErrConfigNotFound) {
		return "", nil
	}
	if err != nil {
		return "", mapErr(err)
	}
	var rec versioningRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return "", fmt.Errorf("object: decoding the versioning of %s: %w", bucket, err)
	}
	return rec.Status, nil
}

// mode returns how the bucket keeps versions.
//
// TODO: every write and delete reads the bucket's versioning record from every drive; a cache
// invalidated by PutBucketVersioning would save a round trip.
func (l *ErasureLayer) mode(ctx context.Context, bucket string) (erasure.VersionMode, error) {
	state, err := l.BucketVersioning(ctx, bucket)
	switch {
	case err != nil:
		return erasure.Unversioned, err
	case state == VersioningEnabled:
		return erasure.VersionsEnabled, nil
	case state == VersioningSuspended:
		return erasure.VersionsSuspended, nil
	}
	return erasure.Unversioned, nil
}

// GetObjectVersion reads one version of the object.
func (l *ErasureLayer) GetObjectVersion(ctx context.Context, bucket, key, versionID string,
	rng *Range) (ObjectInfo, io.ReadCloser, error) {
	o, err := l.openVersion(ctx, bucket, key, versionID)
	if err != nil {
		return ObjectInfo{}, nil, err
	}
	return l.read(ctx, o, rng)
}

// HeadObjectVersion describes one version of the object.
func (l *ErasureLayer) HeadObjectVersion(ctx context.Context, bucket, key,
	versionID string) (ObjectInfo, error) {
	o, err := l.openVersion(ctx, bucket, key, versionID)
	if err != nil {
		return ObjectInfo{}, err
	}
	return objectInfo(o.Info()), nil
}

// openVersion checks the names and the version ID and opens the version.
func (l *ErasureLayer) openVersion(ctx context.Context, bucket, key,
	versionID string) (*erasure.Object, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	if err := checkVersionID(versionID); err != nil {
		return nil, err
	}
	o, err := l.set.OpenVersion(ctx, bucket, key, versionIn(versionID))
	if errors.Is(err, erasure.ErrObjectNotFound) &&
		!errors.As(err, new(*erasure.DeleteMarkerError)) {
		if _, berr := l.set.StatBucket(ctx, bucket); berr != nil {
			return nil, mapErr(berr)
		}
		err = fmt.Errorf("%w: %w", erasure.ErrVersionNotFound, err)
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return o, nil
}

// DeleteObjectVersion removes one version, or deletes the key as the
// bucket's versioning state says.
func (l *ErasureLayer) DeleteObjectVersion(ctx context.Context, bucket, key,
	versionID string) (DeleteResult, error) {
	if err := checkNames(bucket, key); err != nil {
		return DeleteResult{}, err
	}
	if versionID != "" {
		if err := checkVersionID(versionID); err != nil {
			return DeleteResult{}, err
		}
	}
	mode, err := l.mode(ctx, bucket)
	if err != nil {
		return DeleteResult{}, err
	}
	res, err := l.set.DeleteVersion(ctx, bucket, key, erasure.DeleteOptions{
		Versioned: versionID != "", VersionID: versionIn(versionID), Mode: mode})
	if err != nil {
		return DeleteResult{}, mapErr(err)
	}
	if versionID == "" && mode == erasure.Unversioned {
		return DeleteResult{}, nil
	}
	return DeleteResult{VersionID: versionOut(res.VersionID), DeleteMarker: res.DeleteMarker}, nil
}

// ListObjectVersions returns one page of the bucket's versions.
func (l *ErasureLayer) ListObjectVersions(ctx context.Context, bucket string,
	opts ListVersionsOptions) (ListVersionsResult, error) {
	if err := checkBucketName(bucket); err != nil {
		return ListVersionsResult{}, err
	}
	// TODO: every page reads the metadata of every object in the bucket; a walk from the marker
	// would read one page.
	stored, err := l.set.ListVersions(ctx, bucket)
	if err != nil {
		return ListVersionsResult{}, mapErr(err)
	}
	versions := make([]ObjectInfo, len(stored))
	for i, v := range stored {
		versions[i] = objectInfo(v)
	}
	page := pageKeyed(versions, func(o ObjectInfo) (string, string) { return o.Key, o.VersionID },
		keyedOptions{prefix: opts.Prefix, delimiter: opts.Delimiter, keyMarker: opts.KeyMarker,
			idMarker: opts.VersionIDMarker, limit: opts.MaxKeys})
	return ListVersionsResult{Versions: page.items, CommonPrefixes: page.prefixes,
		IsTruncated: page.truncated, NextKeyMarker: page.nextKey,
		NextVersionIDMarker: page.nextID}, nil
}

// PutObjectVersionTags replaces the tags of one version.
func (l *ErasureLayer) PutObjectVersionTags(ctx context.Context, bucket, key, versionID string,
	tags map[string]string) (ObjectInfo, error) {
	if _, err := l.openVersion(ctx, bucket, key, versionID); err != nil {
		return ObjectInfo{}, err
	}
	return l.updateTags(ctx, bucket, key, tags, erasure.UpdateOptions{Versioned: true,
		VersionID: versionIn(versionID)})
}
