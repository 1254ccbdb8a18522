package s3api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// Bucket quotas are hard limits in bytes, kept by the object layer's
// BucketQuotaStore and enforced here on PutObject, CopyObject, UploadPart,
// UploadPartCopy and CompleteMultipartUpload.
//
// A bucket's usage is the sum of the sizes of its object versions (delete
// markers and the parts of uploads in progress count nothing). This node
// computes it by listing the bucket when a write first needs it, and again
// when the figure is older than the refresh interval or a delete through
// this node made it stale; in between, each admitted PutObject, CopyObject
// and CompleteMultipartUpload adds its size at once, before it writes.
// So on one node, concurrent writes cannot together pass the quota; a
// write that fails or replaces an object is counted until the next
// listing, which errs on the side of refusing. What other nodes of the
// tenant write is seen at the next listing: across nodes a bucket may
// exceed its quota by what the other nodes admit within one refresh
// interval. The quota itself is cached for the same interval, except on
// the node whose admin endpoint set it.

// DefaultQuotaRefresh is how long a node trusts a bucket's quota and usage
// figures before reading them again.
const DefaultQuotaRefresh = 10 * time.Second

// quotaContextKey carries a node's *quotas from the Admin to the S3
// handler's write operations.
type quotaContextKey struct{}

// quotas is a node's cache of bucket quotas and usage. It is safe for
// concurrent use.
type quotas struct {
	store   object.BucketQuotaStore
	layer   object.Layer
	refresh time.Duration
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucketQuota
}

// bucketQuota is what a node knows of one bucket's quota and usage. Its
// mu is held while the figures are read from the layer, so that one
// listing serves every write waiting for it.
type bucketQuota struct {
	mu     sync.Mutex
	hard   int64
	hardAt time.Time
	used   int64
	usedAt time.Time
	stale  bool
}

// newQuotas returns the quota cache of layer, or nil when the layer keeps
// no quotas.
func newQuotas(layer object.Layer, refresh time.Duration, now func() time.Time) *quotas {
	store, ok := layer.(object.BucketQuotaStore)
	if !ok {
		return nil
	}
	if refresh <= 0 {
		refresh = DefaultQuotaRefresh
	}
	if now == nil {
		now = time.Now
	}
	return &quotas{store: store, layer: layer, refresh: refresh, now: now,
		buckets: map[string]*bucketQuota{}}
}

// bucket returns the cache entry of a bucket, making it when new.
func (q *quotas) bucket(name string) *bucketQuota {
	q.mu.Lock()
	defer q.mu.Unlock()
	b, ok := q.buckets[name]
	if !ok {
		b = &bucketQuota{stale: true}
		q.buckets[name] = b
	}
	return b
}

// admit checks that adding size bytes keeps the bucket within its quota
// and, when reserve is set, counts them as used at once. It returns the
// QuotaExceeded answer when they do not fit.
func (q *quotas) admit(ctx context.Context, bucket string, size int64, reserve bool) error {
	b := q.bucket(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	now := q.now()
	if b.hardAt.IsZero() || now.Sub(b.hardAt) >= q.refresh {
		hard, err := q.store.BucketQuota(ctx, bucket)
		if err != nil {
			q.forget(bucket, b)
			return err
		}
		b.hard, b.hardAt = hard, now
	}
	if b.hard <= 0 {
		return nil
	}
	if size < 0 {
		return errorf("MissingContentLength", "Bucket %s has a quota, so a write to it "+
			"must declare its length (Content-Length).", bucket)
	}
	if b.stale || now.Sub(b.usedAt) >= q.refresh {
		used, err := bucketUsage(ctx, q.layer, bucket)
		if err != nil {
			return err
		}
		b.used, b.usedAt, b.stale = used, now, false
	}
	if size > 0 && b.used+size > b.hard {
		return errQuotaExceeded(bucket, b.hard, b.used, size)
	}
	if reserve && size > 0 {
		b.used += size
	}
	return nil
}

// forget drops the cache entry b of a bucket whose quota could not be
// read (a missing bucket, for one), so that names never stored do not
// pile up.
func (q *quotas) forget(bucket string, b *bucketQuota) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.buckets[bucket] == b {
		delete(q.buckets, bucket)
	}
}

// changed marks the bucket's usage stale: a delete may have freed room.
func (q *quotas) changed(bucket string) {
	b := q.bucket(bucket)
	b.mu.Lock()
	b.stale = true
	b.mu.Unlock()
}

// set records a quota this node stored, so that it applies at once.
func (q *quotas) set(bucket string, hard int64) {
	b := q.bucket(bucket)
	b.mu.Lock()
	b.hard, b.hardAt, b.stale = hard, q.now(), true
	b.mu.Unlock()
}

// usage returns the bucket's usage as this node counts it now.
func (q *quotas) usage(ctx context.Context, bucket string) (int64, error) {
	b := q.bucket(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	used, err := bucketUsage(ctx, q.layer, bucket)
	if err != nil {
		return 0, err
	}
	b.used, b.usedAt, b.stale = used, q.now(), false
	return used, nil
}

// bucketUsage adds up the sizes of the bucket's object versions, or of its
// objects when the layer keeps no versions.
// TODO: a listing reads every object's metadata, so a large bucket with a
// quota costs one such walk per refresh interval on each node that writes.
func bucketUsage(ctx context.Context, layer object.Layer, bucket string) (int64, error) {
	if v, ok := layer.(object.Versioned); ok {
		return versionsUsage(ctx, v, bucket)
	}
	var total int64
	opts := object.ListOptions{MaxKeys: 1000}
	for {
		page, err := layer.ListObjects(ctx, bucket, opts)
		if err != nil {
			return 0, fmt.Errorf("s3api: measuring the usage of %s: %w", bucket, err)
		}
		for _, o := range page.Objects {
			total += o.Size
		}
		if !page.IsTruncated {
			return total, nil
		}
		opts.Marker = page.NextMarker
	}
}

// versionsUsage adds up the sizes of every version of the bucket.
func versionsUsage(ctx context.Context, v object.Versioned, bucket string) (int64, error) {
	var total int64
	opts := object.ListVersionsOptions{MaxKeys: 1000}
	for {
		page, err := v.ListObjectVersions(ctx, bucket, opts)
		if err != nil {
			return 0, fmt.Errorf("s3api: measuring the usage of %s: %w", bucket, err)
		}
		for _, o := range page.Versions {
			if !o.DeleteMarker {
				total += o.Size
			}
		}
		if !page.IsTruncated {
			return total, nil
		}
		opts.KeyMarker, opts.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
}

// errQuotaExceeded is the answer to a write that does not fit the
// bucket's quota. MinIO answers XMinioAdminBucketQuotaExceeded; Strata
// names its own code the same way.
func errQuotaExceeded(bucket string, hard, used, size int64) *apiError {
	return &apiError{status: http.StatusForbidden, code: "XStrataBucketQuotaExceeded",
		message: fmt.Sprintf("Bucket %s has a quota of %d bytes and uses %d; this write "+
			"of %d bytes would exceed it. Delete objects or raise the quota.",
			bucket, hard, used, size)}
}

// withQuotas returns ctx carrying q.
func withQuotas(ctx context.Context, q *quotas) context.Context {
	if q == nil {
		return ctx
	}
	return context.WithValue(ctx, quotaContextKey{}, q)
}

// requestQuotas returns the quotas the request carries, nil when none.
func requestQuotas(req *request) *quotas {
	q, _ := req.r.Context().Value(quotaContextKey{}).(*quotas)
	return q
}

// checkQuota refuses a write of size bytes to the request's bucket that
// would take it over its quota, and counts an admitted object write
// (reserve) at once. It does nothing on a handler that serves without an
// Admin in front, which is where quotas live.
func (h *Handler) checkQuota(req *request, size int64, reserve bool) error {
	q := requestQuotas(req)
	if q == nil {
		return nil
	}
	return q.admit(req.r.Context(), req.bucket, size, reserve)
}

// checkCompleteQuota wraps a CompleteMultipartUpload checksum hook with
// the quota check of the object the parts make.
func (h *Handler) checkCompleteQuota(req *request, next func(object.UploadInfo,
	[]object.PartInfo) (map[string]string, string, error)) func(object.UploadInfo,
	[]object.PartInfo) (map[string]string, string, error) {
	return func(up object.UploadInfo, parts []object.PartInfo) (map[string]string,
		string, error) {
		var size int64
		for _, p := range parts {
			size += p.Size
		}
		if err := h.checkQuota(req, size, true); err != nil {
			return nil, "", err
		}
		return next(up, parts)
	}
}

// afterDelete runs a delete operation and, when it succeeds, marks the
// bucket's usage stale so that the next write sees the room it freed.
func (h *Handler) afterDelete(op operation) operation {
	return func(w http.ResponseWriter, req *request) error {
		err := op(w, req)
		if q := requestQuotas(req); q != nil && err == nil {
			q.changed(req.bucket)
		}
		return err
	}
}
