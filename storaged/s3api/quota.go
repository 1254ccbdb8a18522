package s3api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// Bucket quotas are hard limits, in bytes, in objects or both, kept by
// the object layer's BucketQuotaStore and enforced here: the byte limit on
// PutObject, CopyObject, UploadPart, UploadPartCopy and
// CompleteMultipartUpload, the object limit on the writes that make an
// object (PutObject, CopyObject, CompleteMultipartUpload and POST upload).
//
// A bucket's usage is the sum of the sizes of its object versions and
// their number; delete markers and the parts of uploads in progress count
// nothing. Every version counts as an object, as in the byte figure and as
// AWS counts a bucket's objects: each holds its own data and metadata on
// the drives, which is what a limit on objects bounds. One listing thus
// measures both figures, and a limit on objects bounds what a versioned
// bucket's history may grow to. A write that replaces the object of a key
// in a bucket that never had versioning adds no object; since knowing that
// costs a metadata read, it is asked only of a write that the object limit
// would otherwise refuse.
//
// This node computes the usage by listing the bucket when a write first
// needs it, and again when the figure is older than the refresh interval
// or a delete through this node made it stale; in between, each admitted
// PutObject, CopyObject, CompleteMultipartUpload and POST upload adds its
// size and one object at once, before it writes (a POST upload, whose
// length is known only once stored, adds its size after). So on one node,
// concurrent writes cannot together pass the quota; a write that fails or
// replaces an object is counted until the next listing, which errs on the
// side of refusing. What other nodes of the tenant write is seen at the
// next listing: across nodes a bucket may exceed its quota by what the
// other nodes admit within one refresh interval. The quota itself is
// cached for the same interval, except on the node whose admin endpoint
// set it.

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

// usage is what a bucket holds: the bytes and the number of its object
// versions.
type usage struct {
	bytes, objects int64
}

// bucketQuota is what a node knows of one bucket's quota and usage. Its
// mu is held while the figures are read from the layer, so that one
// listing serves every write waiting for it.
type bucketQuota struct {
	mu     sync.Mutex
	hard   object.Quota
	hardAt time.Time
	used   usage
	usedAt time.Time
	stale  bool
}

// quotaWrite is what one write asks of its bucket's quota.
type quotaWrite struct {
	// size is the bytes the write adds; -1 when the request did not say.
	size int64
	// key names the object the write makes; "" for a part, which makes
	// none.
	key string
	// reserve counts the write as used at once.
	reserve bool
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

// admit checks that w keeps the bucket within its quota and, when w
// reserves, counts it as used at once. It returns the QuotaExceeded
// answer when w does not fit.
func (q *quotas) admit(ctx context.Context, bucket string, w quotaWrite) error {
	b := q.bucket(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := q.loadHard(ctx, bucket, b); err != nil || b.hard.IsZero() {
		return err
	}
	if b.hard.Bytes > 0 && w.size < 0 {
		return errorf("MissingContentLength", "Bucket %s has a quota, so a write to it "+
			"must declare its length (Content-Length).", bucket)
	}
	if err := q.loadUsed(ctx, bucket, b); err != nil {
		return err
	}
	if h := b.hard.Bytes; h > 0 && w.size > 0 && b.used.bytes+w.size > h {
		return errQuotaExceeded(bucket, h, b.used.bytes, w.size)
	}
	objects, err := q.objectsAdded(ctx, bucket, b, w.key)
	if err != nil {
		return err
	}
	if w.reserve {
		b.used.bytes += max(w.size, 0)
		b.used.objects += objects
	}
	return nil
}

// loadHard reads the bucket's quota into b when b's copy is too old.
func (q *quotas) loadHard(ctx context.Context, bucket string, b *bucketQuota) error {
	now := q.now()
	if !b.hardAt.IsZero() && now.Sub(b.hardAt) < q.refresh {
		return nil
	}
	hard, err := q.store.BucketQuota(ctx, bucket)
	if err != nil {
		q.forget(bucket, b)
		return err
	}
	b.hard, b.hardAt = hard, now
	return nil
}

// loadUsed measures the bucket's usage into b when b's figure is stale or
// too old.
func (q *quotas) loadUsed(ctx context.Context, bucket string, b *bucketQuota) error {
	now := q.now()
	if !b.stale && now.Sub(b.usedAt) < q.refresh {
		return nil
	}
	used, err := bucketUsage(ctx, q.layer, bucket)
	if err != nil {
		return err
	}
	b.used, b.usedAt, b.stale = used, now, false
	return nil
}

// objectsAdded returns how many objects a write of key adds to the bucket
// (0 or 1), or the QuotaExceeded answer when it adds one past the limit.
// A write that makes no object (key "") adds none.
func (q *quotas) objectsAdded(ctx context.Context, bucket string, b *bucketQuota,
	key string) (int64, error) {
	h := b.hard.Objects
	switch {
	case key == "":
		return 0, nil
	case h <= 0 || b.used.objects < h:
		return 1, nil
	}
	replaces, err := replacesObject(ctx, q.layer, bucket, key)
	if err != nil || replaces {
		return 0, err
	}
	return 0, errObjectQuotaExceeded(bucket, h, b.used.objects)
}

// replacesObject reports whether a write of key replaces its object
// rather than adding one: the key has an object and the bucket never had
// versioning.
func replacesObject(ctx context.Context, layer object.Layer, bucket, key string) (bool, error) {
	if v, ok := layer.(object.Versioned); ok {
		state, err := v.BucketVersioning(ctx, bucket)
		if err != nil || state != "" {
			return false, err
		}
	}
	_, err := layer.HeadObject(ctx, bucket, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, object.ErrObjectNotFound):
		return false, nil
	default:
		return false, err
	}
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
func (q *quotas) set(bucket string, hard object.Quota) {
	b := q.bucket(bucket)
	b.mu.Lock()
	b.hard, b.hardAt, b.stale = hard, q.now(), true
	b.mu.Unlock()
}

// added counts size bytes that a write admitted without knowing its
// length stored.
func (q *quotas) added(bucket string, size int64) {
	b := q.bucket(bucket)
	b.mu.Lock()
	b.used.bytes += size
	b.mu.Unlock()
}

// usage returns the bucket's usage as this node counts it now.
func (q *quotas) usage(ctx context.Context, bucket string) (usage, error) {
	b := q.bucket(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	used, err := bucketUsage(ctx, q.layer, bucket)
	if err != nil {
		return usage{}, err
	}
	b.used, b.usedAt, b.stale = used, q.now(), false
	return used, nil
}

// bucketUsage adds up the sizes and the number of the bucket's object
// versions, or of its objects when the layer keeps no versions.
// TODO: a listing reads every object's metadata, so a large bucket with a
// quota costs one such walk per refresh interval on each node that writes.
func bucketUsage(ctx context.Context, layer object.Layer, bucket string) (usage, error) {
	if v, ok := layer.(object.Versioned); ok {
		return versionsUsage(ctx, v, bucket)
	}
	var total usage
	opts := object.ListOptions{MaxKeys: 1000}
	for {
		page, err := layer.ListObjects(ctx, bucket, opts)
		if err != nil {
			return usage{}, fmt.Errorf("s3api: measuring the usage of %s: %w", bucket, err)
		}
		for _, o := range page.Objects {
			total.bytes += o.Size
			total.objects++
		}
		if !page.IsTruncated {
			return total, nil
		}
		opts.Marker = page.NextMarker
	}
}

// versionsUsage adds up the sizes and the number of the bucket's versions
// other than delete markers.
func versionsUsage(ctx context.Context, v object.Versioned, bucket string) (usage, error) {
	var total usage
	opts := object.ListVersionsOptions{MaxKeys: 1000}
	for {
		page, err := v.ListObjectVersions(ctx, bucket, opts)
		if err != nil {
			return usage{}, fmt.Errorf("s3api: measuring the usage of %s: %w", bucket, err)
		}
		for _, o := range page.Versions {
			if !o.DeleteMarker {
				total.bytes += o.Size
				total.objects++
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

// errObjectQuotaExceeded is the answer to a write that would add an object
// past the bucket's object limit: the same code as the byte limit's.
func errObjectQuotaExceeded(bucket string, hard, used int64) *apiError {
	return &apiError{status: http.StatusForbidden, code: "XStrataBucketQuotaExceeded",
		message: fmt.Sprintf("Bucket %s has a quota of %d objects and holds %d; this write "+
			"would add one more. Delete objects or raise the quota.", bucket, hard, used)}
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
// would take it over its quota. An object write (makes) names the
// request's key as the object it makes and is counted at once. It does
// nothing on a handler that serves without an Admin in front, which is
// where quotas live.
func (h *Handler) checkQuota(req *request, size int64, makes bool) error {
	q := requestQuotas(req)
	if q == nil {
		return nil
	}
	w := quotaWrite{size: size, reserve: makes}
	if makes {
		w.key = req.key
	}
	return q.admit(req.r.Context(), req.bucket, w)
}

// checkPostQuota refuses a POST upload of key that would add an object
// past the bucket's object limit, or that finds the bucket at its byte
// limit already, and counts the object at once. Its length is unknown
// until stored: the caller reports it through postStored.
func (h *Handler) checkPostQuota(req *request, key string) error {
	q := requestQuotas(req)
	if q == nil {
		return nil
	}
	return q.admit(req.r.Context(), req.bucket, quotaWrite{size: 1, key: key, reserve: true})
}

// postStored counts the size of a POST upload checkPostQuota admitted,
// less the byte it reserved.
func (h *Handler) postStored(req *request, size int64) {
	if q := requestQuotas(req); q != nil {
		q.added(req.bucket, size-1)
	}
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
