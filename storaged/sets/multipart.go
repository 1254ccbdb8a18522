package sets

import (
	"context"
	"io"

	"github.com/strata-storage/strata/storaged/object"
)

// An upload lives on the set of its key, like the object it will make, so
// every call that names the key goes to that set alone.

// multipart returns the set of bucket/key as a Multipart.
func (l *Layers) multipart(bucket, key string) (object.Multipart, error) {
	return capability[object.Multipart](l.of(bucket, key))
}

// NewMultipartUpload starts an upload on the key's set.
func (l *Layers) NewMultipartUpload(ctx context.Context, bucket, key string,
	opts object.UploadOptions) (object.UploadInfo, error) {
	m, err := l.multipart(bucket, key)
	if err != nil {
		return object.UploadInfo{}, err
	}
	unlock, err := l.lockInBucket(ctx, bucket)
	if err != nil {
		return object.UploadInfo{}, err
	}
	defer unlock()
	return m.NewMultipartUpload(ctx, bucket, key, opts)
}

// MultipartUpload returns an upload from the key's set.
func (l *Layers) MultipartUpload(ctx context.Context, bucket, key,
	uploadID string) (object.UploadInfo, error) {
	m, err := l.multipart(bucket, key)
	if err != nil {
		return object.UploadInfo{}, err
	}
	return m.MultipartUpload(ctx, bucket, key, uploadID)
}

// PutObjectPart stores a part on the key's set.
func (l *Layers) PutObjectPart(ctx context.Context, bucket, key, uploadID string, number int,
	r io.Reader, size int64, opts object.PartOptions) (object.PartInfo, error) {
	m, err := l.multipart(bucket, key)
	if err != nil {
		return object.PartInfo{}, err
	}
	unlock, err := l.lockInBucket(ctx, bucket)
	if err != nil {
		return object.PartInfo{}, err
	}
	defer unlock()
	return m.PutObjectPart(ctx, bucket, key, uploadID, number, r, size, opts)
}

// CompleteMultipartUpload makes the object on the key's set.
func (l *Layers) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string,
	parts []object.CompletePart, opts object.CompleteOptions) (object.ObjectInfo, error) {
	m, err := l.multipart(bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	unlock, err := l.lockObject(ctx, bucket, key)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	defer unlock()
	return m.CompleteMultipartUpload(ctx, bucket, key, uploadID, parts, opts)
}

// AbortMultipartUpload removes an upload from the key's set.
func (l *Layers) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	m, err := l.multipart(bucket, key)
	if err != nil {
		return err
	}
	unlock, err := l.lockInBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	return m.AbortMultipartUpload(ctx, bucket, key, uploadID)
}

// ListParts lists an upload's parts from the key's set.
func (l *Layers) ListParts(ctx context.Context, bucket, key, uploadID string,
	opts object.ListPartsOptions) (object.ListPartsResult, error) {
	m, err := l.multipart(bucket, key)
	if err != nil {
		return object.ListPartsResult{}, err
	}
	return m.ListParts(ctx, bucket, key, uploadID, opts)
}

// ListMultipartUploads merges the same page of every set's uploads. Every
// set gets the same markers: a set without the marker's key lists the keys
// after it, which is what the page needs from it.
func (l *Layers) ListMultipartUploads(ctx context.Context, bucket string,
	opts object.ListUploadsOptions) (object.ListUploadsResult, error) {
	results := make([]object.ListUploadsResult, len(l.sets))
	errs := l.each(0, func(i int, s object.Layer) error {
		m, err := capability[object.Multipart](s)
		if err != nil {
			return err
		}
		results[i], err = m.ListMultipartUploads(ctx, bucket, opts)
		return err
	})
	if err := firstError(errs); err != nil {
		return object.ListUploadsResult{}, err
	}
	pages := make([]page[object.UploadInfo], len(results))
	for i, r := range results {
		pages[i] = uploadPage(r)
	}
	items, truncated := mergePages(pages, maxKeys(opts.MaxUploads))
	res := object.ListUploadsResult{IsTruncated: truncated}
	for _, it := range items {
		if it.val == nil {
			res.CommonPrefixes = append(res.CommonPrefixes, it.name)
		} else {
			res.Uploads = append(res.Uploads, *it.val)
		}
	}
	if truncated {
		last := items[len(items)-1]
		res.NextKeyMarker = last.name
		if last.val != nil {
			res.NextUploadIDMarker = last.val.UploadID
		}
	}
	return res, nil
}

// uploadPage turns a set's upload listing into a page. Uploads come before
// prefixes here; the merge sorts them by name, keeping each key's uploads
// in the set's order.
func uploadPage(r object.ListUploadsResult) page[object.UploadInfo] {
	p := page[object.UploadInfo]{truncated: r.IsTruncated, last: r.NextKeyMarker}
	for i := range r.Uploads {
		p.items = append(p.items,
			item[object.UploadInfo]{name: r.Uploads[i].Key, val: &r.Uploads[i]})
	}
	for _, cp := range r.CommonPrefixes {
		p.items = append(p.items, item[object.UploadInfo]{name: cp})
	}
	return p
}
