package s3api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/internal/policy"
	"github.com/strata-storage/strata/storaged/object"
	"github.com/strata-storage/strata/storaged/telemetry"
)

// Handler serves the S3 API over an object layer. It is safe for
// concurrent use; it holds no state that requests change.
type Handler struct {
	region  string
	creds   Credentials
	keys    KeyStore
	layer   object.Layer
	log     hclog.Logger
	audit   Auditor
	now     func() time.Time
	ownerID string
	// domains are Config.Domains, longest first.
	domains []string
}

var _ http.Handler = (*Handler)(nil)

// New validates cfg and returns a Handler that serves it.
func New(cfg Config) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Handler{
		region: cfg.Region,
		creds:  cfg.Credentials,
		keys:   cfg.Keys,
		layer:  cfg.Layer,
		log:    cfg.Logger,
		audit:  cfg.Audit,
		now:    cfg.Now,
	}
	h.domains = longestFirst(cfg.Domains)
	if h.log == nil {
		h.log = hclog.NewNullLogger()
	}
	if h.now == nil {
		h.now = time.Now
	}
	sum := sha256.Sum256([]byte("strata-owner/" + cfg.Credentials.AccessKeyID))
	h.ownerID = hex.EncodeToString(sum[:])
	return h, nil
}

// request is one S3 request on its way through the handler.
type request struct {
	r             *http.Request
	id            string
	bucket        string
	key           string
	query         url.Values
	payload       payloadMode
	payloadSHA256 []byte
	// payloadLabel names the payload mode for the request log.
	payloadLabel string
	signing      *signingContext
	// who signed the request; set by authenticate.
	who identity
	// authType is how the request was authenticated, for s3:authType:
	// REST-HEADER, REST-QUERY-STRING, or "" when anonymous.
	authType string
	// policies caches the bucket policies read while authorizing.
	policies map[string]*policy.Policy
	// conditions caches the policy condition keys of the request.
	conditions map[string][]string
	// abort asks ServeHTTP to cut the connection after logging, because
	// an answer's body failed after its header was sent.
	abort bool
	// accessKeyID is the access key whose signature was checked; "" when
	// anonymous or not checked (yet).
	accessKeyID string
	// errorCode is the S3 error code the request failed with, for the
	// audit record.
	errorCode string
	// deleted is what a DeleteObjects request deleted, for the audit
	// record.
	deleted []telemetry.DeletedObject
}

// ServeHTTP answers one S3 request, logs one line about it at debug and
// hands its record to the Auditor, when there is one.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	trail := h.beginAudit(r)
	rec := &statusRecorder{ResponseWriter: w}
	req := newRequest(r)
	h.addressVirtualHost(req)
	rec.Header().Set("X-Amz-Request-Id", req.id)
	rec.Header().Set("Server", "Strata")
	if err := h.serve(rec, req); err != nil {
		h.fail(rec, req, err)
	}
	h.log.Debug("s3 request", "id", req.id, "method", r.Method, "path", r.URL.Path,
		"status", rec.status, "bytes", rec.bytes, "payload", req.payloadLabel,
		"duration", time.Since(start), "remote", r.RemoteAddr)
	h.endAudit(trail, rec, req)
	if req.abort {
		panic(http.ErrAbortHandler)
	}
}

// newRequest splits a path-style URL into bucket and key.
func newRequest(r *http.Request) *request {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	return &request{r: r, id: newRequestID(), bucket: bucket, key: key, query: r.URL.Query()}
}

// newRequestID returns 16 uppercase hex digits, like AWS's request IDs.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// serve authenticates, routes, authorizes and runs one request.
func (h *Handler) serve(w http.ResponseWriter, req *request) error {
	if isHealthPath(req.r.URL.Path) {
		return h.serveHealth(w, req)
	}
	if req.r.Method == http.MethodOptions {
		return h.preflight(w, req)
	}
	h.setCORSHeaders(w, req)
	if err := h.authenticate(req); err != nil {
		return err
	}
	op, err := h.route(req)
	if err != nil {
		return err
	}
	if err := h.authorize(req); err != nil {
		return err
	}
	return op(w, req)
}

// fail writes err as an S3 error, unless an answer has already begun.
func (h *Handler) fail(w *statusRecorder, req *request, err error) {
	e := toAPIError(err)
	req.errorCode = e.code
	if e.code == "InternalError" {
		h.log.Error("s3 request failed", "id", req.id, "method", req.r.Method,
			"path", req.r.URL.Path, "error", e.cause)
	}
	if w.status != 0 {
		h.log.Warn("s3 request failed after its answer began", "id", req.id, "error", err)
		req.abort = true
		return
	}
	if e.code == "RequestCanceled" {
		return
	}
	writeAPIError(w, req, e)
}
