package pools

import (
	"context"
	"errors"
	"io"

	"github.com/strata-storage/strata/storaged/object"
)

// An upload starts on the pool the rules pick for its key and stays
// there: its parts go there even when the pool is being decommissioned.
// Completing it gathers the key's versions on its pool, or, on a pool
// being decommissioned, moves the new object off it at once.

// multipartOf returns pool i as a Multipart.
func (l *Layers) multipartOf(i int) (object.Multipart, error) {
	return capability[object.Multipart](l.pools[i].Layer)
}

// NewMultipartUpload starts an upload on the pool the rules pick.
func (l *Layers) NewMultipartUpload(ctx context.Context, bucket, key string,
	opts object.UploadOptions) (object.UploadInfo, error) {
	if l.single() != nil {
		m, err := l.multipartOf(0)
		if err != nil {
			return object.UploadInfo{}, err
		}
		return m.NewMultipartUpload(ctx, bucket, key, opts)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.UploadInfo{}, err
	}
	defer unlock()
	ps := l.heads(ctx, bucket, key)
	if err := failure(ps); err != nil {
		return object.UploadInfo{}, err
	}
	to := l.target(ctx, ps)
	m, err := l.multipartOf(to)
	if err != nil {
		return object.UploadInfo{}, err
	}
	up, err := m.NewMultipartUpload(ctx, bucket, key, opts)
	if errors.Is(err, object.ErrBucketNotFound) && l.syncBucketTo(ctx, bucket, to) {
		return m.NewMultipartUpload(ctx, bucket, key, opts)
	}
	return up, err
}

// uploadPool returns the pool that holds the upload, asking every pool
// in parallel, and the upload.
func (l *Layers) uploadPool(ctx context.Context, bucket, key,
	uploadID string) (int, object.UploadInfo, error) {
	if l.single() != nil {
		return 0, object.UploadInfo{}, nil
	}
	ups := make([]object.UploadInfo, len(l.pools))
	errs := l.each(func(i int, p object.Layer) error {
		m, err := capability[object.Multipart](p)
		if err != nil {
			return err
		}
		ups[i], err = m.MultipartUpload(ctx, bucket, key, uploadID)
		return err
	})
	for i, err := range errs {
		if err == nil {
			return i, ups[i], nil
		}
	}
	for _, err := range errs {
		if !errors.Is(err, object.ErrNoSuchUpload) && !errors.Is(err, object.ErrBucketNotFound) {
			return -1, object.UploadInfo{}, err
		}
	}
	return -1, object.UploadInfo{}, errs[l.record]
}

// uploadMultipart returns the pool of the upload as a Multipart.
func (l *Layers) uploadMultipart(ctx context.Context, bucket, key,
	uploadID string) (object.Multipart, error) {
	i, _, err := l.uploadPool(ctx, bucket, key, uploadID)
	if err != nil {
		return nil, err
	}
	return l.multipartOf(i)
}

// MultipartUpload returns an upload from the pool that holds it.
func (l *Layers) MultipartUpload(ctx context.Context, bucket, key,
	uploadID string) (object.UploadInfo, error) {
	if l.single() != nil {
		m, err := l.multipartOf(0)
		if err != nil {
			return object.UploadInfo{}, err
		}
		return m.MultipartUpload(ctx, bucket, key, uploadID)
	}
	_, up, err := l.uploadPool(ctx, bucket, key, uploadID)
	return up, err
}

// PutObjectPart stores a part on the pool of its upload.
func (l *Layers) PutObjectPart(ctx context.Context, bucket, key, uploadID string, number int,
	r io.Reader, size int64, opts object.PartOptions) (object.PartInfo, error) {
	m, err := l.uploadMultipart(ctx, bucket, key, uploadID)
	if err != nil {
		return object.PartInfo{}, err
	}
	return m.PutObjectPart(ctx, bucket, key, uploadID, number, r, size, opts)
}

// AbortMultipartUpload removes an upload from the pool that holds it.
func (l *Layers) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	m, err := l.uploadMultipart(ctx, bucket, key, uploadID)
	if err != nil {
		return err
	}
	return m.AbortMultipartUpload(ctx, bucket, key, uploadID)
}

// ListParts lists an upload's parts from the pool that holds it.
func (l *Layers) ListParts(ctx context.Context, bucket, key, uploadID string,
	opts object.ListPartsOptions) (object.ListPartsResult, error) {
	m, err := l.uploadMultipart(ctx, bucket, key, uploadID)
	if err != nil {
		return object.ListPartsResult{}, err
	}
	return m.ListParts(ctx, bucket, key, uploadID, opts)
}

// CompleteMultipartUpload makes the object on the pool of its upload,
// holding the key. The key's versions on other pools are gathered there
// first; when the upload's pool is being decommissioned, they are
// gathered on the pool the rules pick instead, and the new object is
// moved there once made.
func (l *Layers) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string,
	parts []object.CompletePart, opts object.CompleteOptions) (object.ObjectInfo, error) {
	if l.single() != nil {
		m, err := l.multipartOf(0)
		if err != nil {
			return object.ObjectInfo{}, err
		}
		return m.CompleteMultipartUpload(ctx, bucket, key, uploadID, parts, opts)
	}
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	u, _, err := l.uploadPool(ctx, bucket, key, uploadID)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	ps := l.heads(ctx, bucket, key)
	if err := failure(ps); err != nil {
		return object.ObjectInfo{}, err
	}
	to := u
	if l.pools[u].Decommission {
		to = l.target(ctx, ps)
	}
	if err := l.gather(ctx, bucket, key, ps, to); err != nil {
		return object.ObjectInfo{}, err
	}
	if to != u {
		opts.Precondition = l.seenOn(ctx, bucket, key, to, opts.Precondition)
	}
	m, err := l.multipartOf(u)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	info, err := m.CompleteMultipartUpload(ctx, bucket, key, uploadID, parts, opts)
	if err != nil || to == u {
		return info, err
	}
	// A failed move leaves the object where the drain will find it.
	_, _, _ = l.moveKey(ctx, bucket, key, u, to)
	info.IsLatest = true
	return info, nil
}

// seenOn returns pre checked against the key's current version on pool
// to instead of the pool that calls it, or nil without pre.
func (l *Layers) seenOn(ctx context.Context, bucket, key string, to int,
	pre func(*object.ObjectInfo) error) func(*object.ObjectInfo) error {
	if pre == nil {
		return nil
	}
	return func(*object.ObjectInfo) error {
		p := presenceOf(l.pools[to].Layer.HeadObject(ctx, bucket, key))
		if p.failed() {
			return p.err
		}
		return pre(p.info)
	}
}
