package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// bucketPass is one pass over one bucket: its rules, the time they are
// evaluated at, and what it did so far.
type bucketPass struct {
	w      *Worker
	p      *pacer
	bucket string
	c      *Configuration
	now    time.Time
	st     Stats
}

// objects expires the bucket's versions, through its versions when the
// layer keeps them, else through its current objects.
func (b *bucketPass) objects(ctx context.Context) error {
	if v, ok := b.w.cfg.Layer.(object.Versioned); ok {
		return b.versions(ctx, v)
	}
	return b.current(ctx)
}

// versions walks every version of the bucket, key by key: a key's
// versions are handled once all of them are listed, so deleting never
// touches what a later page starts after.
func (b *bucketPass) versions(ctx context.Context, v object.Versioned) error {
	opts := object.ListVersionsOptions{MaxKeys: pageSize}
	var pending []object.ObjectInfo
	var errs []error
	for {
		page, err := v.ListObjectVersions(ctx, b.bucket, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("lifecycle: listing the versions of %s: %w",
				b.bucket, err))
			return errors.Join(errs...)
		}
		for _, o := range page.Versions {
			if len(pending) > 0 && pending[0].Key != o.Key {
				errs = append(errs, b.key(ctx, v, pending))
				pending = nil
			}
			pending = append(pending, o)
		}
		if !page.IsTruncated || ctx.Err() != nil {
			break
		}
		opts.KeyMarker, opts.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	if len(pending) > 0 {
		errs = append(errs, b.key(ctx, v, pending))
	}
	return errors.Join(errs...)
}

// key applies the rules to every version of one key, newest first: the
// noncurrent ones, then the current version or delete marker.
func (b *bucketPass) key(ctx context.Context, v object.Versioned, vs []object.ObjectInfo) error {
	kept := 1
	var errs []error
	for i := 1; i < len(vs); i++ {
		removed, err := b.noncurrent(ctx, v, vs[i], vs[i-1].ModTime, i-1)
		if err != nil {
			errs = append(errs, err)
		}
		if !removed {
			kept++
		}
	}
	cur := vs[0]
	if cur.DeleteMarker {
		errs = append(errs, b.marker(ctx, v, cur, kept == 1))
	} else {
		errs = append(errs, b.expireCurrent(ctx, cur))
	}
	return errors.Join(errs...)
}

// noncurrent removes version o when a rule says it expired: it stopped
// being current at since and has newer noncurrent versions newer than it.
func (b *bucketPass) noncurrent(ctx context.Context, v object.Versioned, o object.ObjectInfo,
	since time.Time, newer int) (bool, error) {
	if err := b.p.wait(ctx); err != nil {
		return false, err
	}
	b.st.Scanned++
	obj, err := b.object(ctx, o)
	if err != nil {
		return false, err
	}
	if !b.c.NoncurrentExpired(obj, since, newer, b.now) {
		return false, nil
	}
	if err := b.removeVersion(ctx, v, o); err != nil {
		return false, err
	}
	b.st.NoncurrentRemoved++
	return true, nil
}

// marker removes a delete marker that is its key's only version when a
// rule says so.
func (b *bucketPass) marker(ctx context.Context, v object.Versioned, o object.ObjectInfo,
	alone bool) error {
	if err := b.p.wait(ctx); err != nil {
		return err
	}
	b.st.Scanned++
	if !alone || !b.c.DeleteMarkerExpired(o.Key) {
		return nil
	}
	if err := b.removeVersion(ctx, v, o); err != nil {
		return err
	}
	b.st.MarkersRemoved++
	return nil
}

// removeVersion deletes one version for good; one already gone is fine.
func (b *bucketPass) removeVersion(ctx context.Context, v object.Versioned,
	o object.ObjectInfo) error {
	_, err := v.DeleteObjectVersion(ctx, b.bucket, o.Key, o.VersionID)
	if err != nil && !errors.Is(err, object.ErrVersionNotFound) &&
		!errors.Is(err, object.ErrObjectNotFound) {
		return fmt.Errorf("lifecycle: removing version %s of %s/%s: %w", o.VersionID,
			b.bucket, o.Key, err)
	}
	return nil
}

// current walks the current objects of a layer without versions.
func (b *bucketPass) current(ctx context.Context) error {
	opts := object.ListOptions{MaxKeys: pageSize}
	var errs []error
	for {
		page, err := b.w.cfg.Layer.ListObjects(ctx, b.bucket, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("lifecycle: listing %s: %w", b.bucket, err))
			return errors.Join(errs...)
		}
		for _, o := range page.Objects {
			if err := b.p.wait(ctx); err != nil {
				return errors.Join(append(errs, err)...)
			}
			b.st.Scanned++
			errs = append(errs, b.expireCurrent(ctx, o))
		}
		if !page.IsTruncated {
			return errors.Join(errs...)
		}
		opts.Marker = page.NextMarker
	}
}

// expireCurrent deletes the current version o when a rule says it expired
// and it is still the current version: in a versioned bucket that adds a
// delete marker, as S3 does.
func (b *bucketPass) expireCurrent(ctx context.Context, o object.ObjectInfo) error {
	obj, err := b.object(ctx, o)
	if err != nil {
		return err
	}
	at, _, ok := b.c.Expiration(obj)
	if !ok || b.now.Before(at) {
		return nil
	}
	now, err := b.w.cfg.Layer.HeadObject(ctx, b.bucket, o.Key)
	if errors.Is(err, object.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lifecycle: checking %s/%s: %w", b.bucket, o.Key, err)
	}
	if now.VersionID != o.VersionID || now.ETag != o.ETag || !now.ModTime.Equal(o.ModTime) {
		return nil // written again since the listing
	}
	// TODO: a write between this check and the delete is deleted with it;
	// closing that needs a conditional delete in the object layer.
	if err := b.deleteCurrent(ctx, o.Key); err != nil {
		return fmt.Errorf("lifecycle: expiring %s/%s: %w", b.bucket, o.Key, err)
	}
	b.st.Expired++
	return nil
}

// deleteCurrent deletes a key as the bucket's versioning state says.
func (b *bucketPass) deleteCurrent(ctx context.Context, key string) error {
	if v, ok := b.w.cfg.Layer.(object.Versioned); ok {
		_, err := v.DeleteObjectVersion(ctx, b.bucket, key, "")
		return err
	}
	return b.w.cfg.Layer.DeleteObject(ctx, b.bucket, key)
}

// object returns what the rules look at in o, reading its tags when a rule
// needs them and the listing did not carry them.
func (b *bucketPass) object(ctx context.Context, o object.ObjectInfo) (Object, error) {
	obj := Object{Key: o.Key, Size: o.Size, ModTime: o.ModTime, Tags: o.Tags}
	if o.Tags != nil || o.DeleteMarker || !b.c.needsTags() {
		return obj, nil
	}
	var info object.ObjectInfo
	var err error
	if v, ok := b.w.cfg.Layer.(object.Versioned); ok && o.VersionID != "" {
		info, err = v.HeadObjectVersion(ctx, b.bucket, o.Key, o.VersionID)
	} else {
		info, err = b.w.cfg.Layer.HeadObject(ctx, b.bucket, o.Key)
	}
	if err != nil {
		return obj, fmt.Errorf("lifecycle: reading the tags of %s/%s: %w", b.bucket, o.Key, err)
	}
	obj.Tags = info.Tags
	return obj, nil
}

// uploads aborts the bucket's multipart uploads that a rule says are
// stale.
func (b *bucketPass) uploads(ctx context.Context) error {
	m, ok := b.w.cfg.Layer.(object.Multipart)
	if !ok || !b.c.HasUploadRules() {
		return nil
	}
	opts := object.ListUploadsOptions{MaxUploads: pageSize}
	var errs []error
	for {
		page, err := m.ListMultipartUploads(ctx, b.bucket, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("lifecycle: listing the uploads of %s: %w",
				b.bucket, err))
			return errors.Join(errs...)
		}
		for _, u := range page.Uploads {
			if err := b.p.wait(ctx); err != nil {
				return errors.Join(append(errs, err)...)
			}
			errs = append(errs, b.upload(ctx, m, u))
		}
		if !page.IsTruncated {
			return errors.Join(errs...)
		}
		opts.KeyMarker, opts.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}

// upload aborts u when a rule says it is stale.
func (b *bucketPass) upload(ctx context.Context, m object.Multipart, u object.UploadInfo) error {
	b.st.Scanned++
	if !b.c.UploadExpired(u.Key, u.Initiated, b.now) {
		return nil
	}
	err := m.AbortMultipartUpload(ctx, b.bucket, u.Key, u.UploadID)
	if err != nil && !errors.Is(err, object.ErrNoSuchUpload) {
		return fmt.Errorf("lifecycle: aborting upload %s of %s/%s: %w", u.UploadID,
			b.bucket, u.Key, err)
	}
	b.st.UploadsAborted++
	return nil
}
