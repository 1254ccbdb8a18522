package s3api

import (
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/strata-storage/strata/storaged/telemetry"
)

// statusClientClosed is the status an audit record gives a request whose
// client went away before any answer.
const statusClientClosed = 499

// Auditor receives the audit record of each answered request.
type Auditor interface {
	// Audit takes one record. It is called on the request's goroutine once
	// the answer is written, concurrently for concurrent requests; it must
	// not block, and it owns the record.
	Audit(telemetry.AuditRecord)
}

var _ Auditor = (*telemetry.Shipper)(nil)

// auditTrail is what a request's audit record needs from before it is
// served.
type auditTrail struct {
	start time.Time
	op    string
	body  *countingBody
}

// beginAudit starts the trail of r, or returns nil when there is no
// Auditor or r is a health check or a metrics scrape. It counts r's body
// as the handler reads it.
func (h *Handler) beginAudit(r *http.Request) *auditTrail {
	if h.audit == nil || isHealthPath(r.URL.Path) || r.URL.Path == metricsPath {
		return nil
	}
	t := &auditTrail{start: time.Now(), op: operationOf(r)}
	if r.Body != nil {
		t.body = &countingBody{ReadCloser: r.Body}
		r.Body = t.body
	}
	return t
}

// endAudit hands the record of the answered request to the Auditor.
func (h *Handler) endAudit(t *auditTrail, rec *statusRecorder, req *request) {
	if t == nil {
		return
	}
	status := rec.status
	switch {
	case status == 0 && req.errorCode != "":
		status = statusClientClosed
	case status == 0:
		status = http.StatusOK
	}
	r := telemetry.AuditRecord{Time: t.start, RequestID: req.id, Operation: t.op,
		Bucket: req.bucket, Key: req.key, Status: status, Duration: time.Since(t.start),
		BytesOut: rec.bytes, RemoteAddr: req.r.RemoteAddr, UserAgent: req.r.UserAgent(),
		AccessKey: req.accessKeyID, Deleted: req.deleted}
	if t.body != nil {
		r.BytesIn = t.body.n.Load()
	}
	if status >= http.StatusBadRequest {
		r.Error = req.errorCode
	}
	h.audit.Audit(r)
}

// serveAudited runs serve, an admin endpoint, on a new request for r, and
// audits it as ServeHTTP audits S3 requests. The record's operation is the
// method and path, such as "POST /strata/admin/heal" (r's path is one of
// the few admin paths, so the names stay few), and its bucket the one the
// query names, if any.
func (h *Handler) serveAudited(w http.ResponseWriter, r *http.Request,
	serve func(http.ResponseWriter, *request)) {
	trail := h.beginAudit(r)
	if trail != nil {
		trail.op = r.Method + " " + r.URL.Path
	}
	rec := &statusRecorder{ResponseWriter: w}
	req := newRequest(r)
	serve(rec, req)
	req.bucket, req.key = req.query.Get("bucket"), ""
	h.endAudit(trail, rec, req)
}

// countingBody counts the bytes read from a request body, which a
// handler may read from another goroutine.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}
