package sets

import (
	"context"
	"errors"
	"io"

	"github.com/strata-storage/strata/storaged/object"
)

// A bucket's versioning state lives in each set's own bucket record, since
// each set's layer consults it on every write: PutBucketVersioning sets it
// on every set, set 0 last, and BucketVersioning reads set 0's. All
// versions of a key live on the key's set.

// versioned returns set s as a Versioned.
func versioned(s object.Layer) (object.Versioned, error) {
	return capability[object.Versioned](s)
}

// PutBucketVersioning sets the bucket's state on every set, set 0 last.
func (l *Layers) PutBucketVersioning(ctx context.Context, bucket, state string) error {
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	errs := l.each(1, func(_ int, s object.Layer) error {
		v, err := versioned(s)
		if err != nil {
			return err
		}
		return v.PutBucketVersioning(ctx, bucket, state)
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	v, err := versioned(l.sets[0])
	if err != nil {
		return err
	}
	return v.PutBucketVersioning(ctx, bucket, state)
}

// BucketVersioning returns the bucket's state from set 0.
func (l *Layers) BucketVersioning(ctx context.Context, bucket string) (string, error) {
	v, err := versioned(l.sets[0])
	if err != nil {
		return "", err
	}
	return v.BucketVersioning(ctx, bucket)
}

// GetObjectVersion reads one version from the key's set.
func (l *Layers) GetObjectVersion(ctx context.Context, bucket, key, versionID string,
	rng *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	v, err := versioned(l.of(bucket, key))
	if err != nil {
		return object.ObjectInfo{}, nil, err
	}
	return v.GetObjectVersion(ctx, bucket, key, versionID, rng)
}

// HeadObjectVersion describes one version from the key's set.
func (l *Layers) HeadObjectVersion(ctx context.Context, bucket, key,
	versionID string) (object.ObjectInfo, error) {
	v, err := versioned(l.of(bucket, key))
	if err != nil {
		return object.ObjectInfo{}, err
	}
	return v.HeadObjectVersion(ctx, bucket, key, versionID)
}

// DeleteObjectVersion deletes on the key's set, holding the key.
func (l *Layers) DeleteObjectVersion(ctx context.Context, bucket, key,
	versionID string) (object.DeleteResult, error) {
	v, err := versioned(l.of(bucket, key))
	if err != nil {
		return object.DeleteResult{}, err
	}
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return object.DeleteResult{}, err
	}
	defer unlock()
	return v.DeleteObjectVersion(ctx, bucket, key, versionID)
}

// PutObjectVersionTags tags one version on the key's set, holding the key.
func (l *Layers) PutObjectVersionTags(ctx context.Context, bucket, key, versionID string,
	tags map[string]string) (object.ObjectInfo, error) {
	v, err := versioned(l.of(bucket, key))
	if err != nil {
		return object.ObjectInfo{}, err
	}
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	return v.PutObjectVersionTags(ctx, bucket, key, versionID, tags)
}

// ListObjectVersions merges the same page of every set's versions. Every
// set gets the same markers: a set without the marker's key lists the keys
// after it.
func (l *Layers) ListObjectVersions(ctx context.Context, bucket string,
	opts object.ListVersionsOptions) (object.ListVersionsResult, error) {
	results := make([]object.ListVersionsResult, len(l.sets))
	errs := l.each(0, func(i int, s object.Layer) error {
		v, err := versioned(s)
		if err != nil {
			return err
		}
		results[i], err = v.ListObjectVersions(ctx, bucket, opts)
		return err
	})
	if err := firstError(errs); err != nil {
		return object.ListVersionsResult{}, err
	}
	pages := make([]page[object.ObjectInfo], len(results))
	for i, r := range results {
		pages[i] = versionPage(r)
	}
	items, truncated := mergePages(pages, maxKeys(opts.MaxKeys))
	res := object.ListVersionsResult{IsTruncated: truncated}
	for _, it := range items {
		if it.val == nil {
			res.CommonPrefixes = append(res.CommonPrefixes, it.name)
		} else {
			res.Versions = append(res.Versions, *it.val)
		}
	}
	if truncated {
		last := items[len(items)-1]
		res.NextKeyMarker = last.name
		if last.val != nil {
			res.NextVersionIDMarker = last.val.VersionID
		}
	}
	return res, nil
}

// versionPage turns a set's version listing into a page.
func versionPage(r object.ListVersionsResult) page[object.ObjectInfo] {
	p := page[object.ObjectInfo]{truncated: r.IsTruncated, last: r.NextKeyMarker}
	for i := range r.Versions {
		p.items = append(p.items,
			item[object.ObjectInfo]{name: r.Versions[i].Key, val: &r.Versions[i]})
	}
	for _, cp := range r.CommonPrefixes {
		p.items = append(p.items, item[object.ObjectInfo]{name: cp})
	}
	return p
}
