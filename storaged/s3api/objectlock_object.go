package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// Object Lock's per-version half: ?retention and ?legal-hold, the
// x-amz-object-lock-* headers of writes and reads, and default retention.

// Headers of Object Lock on writes and reads.
const (
	hdrLockMode        = "X-Amz-Object-Lock-Mode"
	hdrLockRetainUntil = "X-Amz-Object-Lock-Retain-Until-Date"
	hdrLockLegalHold   = "X-Amz-Object-Lock-Legal-Hold"
	hdrBypassGovern    = "X-Amz-Bypass-Governance-Retention"
)

// retentionBody is PutObjectRetention's body and GetObjectRetention's
// answer. A body without Mode and date removes the retention.
type retentionBody struct {
	XMLName         xml.Name `xml:"Retention"`
	Xmlns           string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

// legalHoldBody is PutObjectLegalHold's body and GetObjectLegalHold's
// answer.
type legalHoldBody struct {
	XMLName xml.Name `xml:"LegalHold"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

// retention is a version's retention as a request asks for it: a mode and
// a date, both or neither.
type retention struct {
	mode  string
	until time.Time
}

// parseRetention decodes a PutObjectRetention body. Its date must lie
// after now unless the body removes the retention.
func parseRetention(body []byte, now time.Time) (retention, error) {
	var b retentionBody
	if err := xml.Unmarshal(bytes.TrimSpace(body), &b); err != nil {
		return retention{}, newError("MalformedXML")
	}
	if b.Mode == "" && b.RetainUntilDate == "" {
		return retention{}, nil
	}
	if !validMode(b.Mode) || b.RetainUntilDate == "" {
		return retention{}, newError("MalformedXML")
	}
	return newRetention(b.Mode, b.RetainUntilDate, now)
}

// newRetention checks a mode and a retain-until date in ISO 8601.
func newRetention(mode, date string, now time.Time) (retention, error) {
	if !validMode(mode) {
		return retention{}, errorf("InvalidArgument", "Unknown wormMode directive.")
	}
	until, err := time.Parse(time.RFC3339Nano, date)
	if err != nil {
		return retention{}, errorf("InvalidArgument", "The retain until date must be "+
			"provided in ISO 8601 format.")
	}
	if !until.After(now) {
		return retention{}, errorf("InvalidArgument", "The retain until date must be in "+
			"the future!")
	}
	return retention{mode: mode, until: until.UTC()}, nil
}

// parseLegalHold decodes a PutObjectLegalHold body: ON or OFF.
func parseLegalHold(body []byte) (string, error) {
	var b legalHoldBody
	if err := xml.Unmarshal(bytes.TrimSpace(body), &b); err != nil {
		return "", newError("MalformedXML")
	}
	if b.Status != object.LegalHoldOn && b.Status != object.LegalHoldOff {
		return "", newError("MalformedXML")
	}
	return b.Status, nil
}

// lockedBucket returns the layer's lock capability once it knows that the
// request's bucket has Object Lock; InvalidRequest otherwise, as AWS
// answers.
func (h *Handler) lockedBucket(req *request) (object.ObjectLocker, error) {
	l, err := h.objectLocker()
	if err != nil {
		return nil, err
	}
	cfg, err := l.BucketObjectLock(req.r.Context(), req.bucket)
	if err != nil {
		return nil, err
	}
	if !cfg.Enabled {
		return nil, errMissingLockConfig()
	}
	return l, nil
}

func errMissingLockConfig() *apiError {
	return errorf("InvalidRequest", "Bucket is missing Object Lock Configuration")
}

// putObjectRetention is PutObjectRetention: PUT /bucket/key?retention.
func (h *Handler) putObjectRetention(w http.ResponseWriter, req *request) error {
	l, err := h.lockedBucket(req)
	if err != nil {
		return err
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	now := h.now()
	next, err := parseRetention(body, now)
	if err != nil {
		return err
	}
	bypass := h.governanceBypass(req, req.key)
	info, err := l.UpdateObjectLock(req.r.Context(), req.bucket, req.key,
		req.query.Get("versionId"), func(cur object.ObjectInfo) (object.ObjectLock, error) {
			if err := checkRetentionChange(cur.Lock, next, bypass, now); err != nil {
				return object.ObjectLock{}, err
			}
			lock := cur.Lock
			lock.Mode, lock.RetainUntil = next.mode, next.until
			return lock, nil
		})
	if err != nil {
		return err
	}
	setVersionHeader(w.Header(), "X-Amz-Version-Id", info.VersionID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// getObjectRetention is GetObjectRetention: GET /bucket/key?retention.
func (h *Handler) getObjectRetention(w http.ResponseWriter, req *request) error {
	if _, err := h.lockedBucket(req); err != nil {
		return err
	}
	info, err := h.headAt(req.r.Context(), req)
	if err != nil {
		return err
	}
	if info.Lock.Mode == "" {
		return errNoLockConfig()
	}
	writeXML(w, http.StatusOK, retentionBody{Xmlns: s3Namespace, Mode: info.Lock.Mode,
		RetainUntilDate: formatXMLTime(info.Lock.RetainUntil)})
	return nil
}

// errNoLockConfig is S3's answer for a version that has no retention or
// legal hold to return.
func errNoLockConfig() *apiError {
	return &apiError{status: http.StatusNotFound, code: "NoSuchObjectLockConfiguration",
		message: "The specified object does not have a ObjectLock configuration"}
}

// putObjectLegalHold is PutObjectLegalHold: PUT /bucket/key?legal-hold.
func (h *Handler) putObjectLegalHold(w http.ResponseWriter, req *request) error {
	l, err := h.lockedBucket(req)
	if err != nil {
		return err
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	status, err := parseLegalHold(body)
	if err != nil {
		return err
	}
	info, err := l.UpdateObjectLock(req.r.Context(), req.bucket, req.key,
		req.query.Get("versionId"), func(cur object.ObjectInfo) (object.ObjectLock, error) {
			lock := cur.Lock
			lock.LegalHold = status
			return lock, nil
		})
	if err != nil {
		return err
	}
	setVersionHeader(w.Header(), "X-Amz-Version-Id", info.VersionID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// getObjectLegalHold is GetObjectLegalHold: GET /bucket/key?legal-hold.
func (h *Handler) getObjectLegalHold(w http.ResponseWriter, req *request) error {
	if _, err := h.lockedBucket(req); err != nil {
		return err
	}
	info, err := h.headAt(req.r.Context(), req)
	if err != nil {
		return err
	}
	if info.Lock.LegalHold == "" {
		return errNoLockConfig()
	}
	writeXML(w, http.StatusOK, legalHoldBody{Xmlns: s3Namespace, Status: info.Lock.LegalHold})
	return nil
}

// writeLock returns the lock settings a write (PutObject, CopyObject,
// CreateMultipartUpload) gives its new version: those of its
// x-amz-object-lock-* headers, else the bucket's default retention. A
// write with lock headers needs a bucket with Object Lock, leave to set
// them (for a key other than root), and, when it has a body, a
// Content-MD5 or x-amz-checksum-* header, as AWS demands.
//
// TODO: every write reads the bucket's lock record from the drives (set 0's
// on a multi-set tenant); a cache that PutBucketObjectLock invalidates
// across nodes would save that round trip.
func (h *Handler) writeLock(req *request, hasBody bool) (object.ObjectLock, error) {
	hdr := req.r.Header
	asked := hasLockHeaders(hdr)
	if !asked && !h.canLock() {
		return object.ObjectLock{}, nil
	}
	if asked {
		if err := h.checkLockHeaders(req, hasBody); err != nil {
			return object.ObjectLock{}, err
		}
	}
	cfg, err := h.bucketLock(req.r.Context(), req.bucket)
	if err != nil || !cfg.Enabled && !asked {
		return object.ObjectLock{}, err
	}
	if !cfg.Enabled {
		return object.ObjectLock{}, errMissingLockConfig()
	}
	return lockFromHeaders(hdr, cfg, h.now())
}

// canLock reports whether the layer keeps Object Lock settings.
func (h *Handler) canLock() bool {
	_, ok := h.layer.(object.ObjectLocker)
	return ok
}

// hasLockHeaders reports whether a write names any lock setting.
func hasLockHeaders(hdr http.Header) bool {
	for _, name := range []string{hdrLockMode, hdrLockRetainUntil, hdrLockLegalHold} {
		if _, ok := hdr[name]; ok {
			return true
		}
	}
	return false
}

// checkLockHeaders demands what a write with lock headers needs besides
// a bucket with Object Lock: the capability, the key's leave, and an
// integrity header on a body.
func (h *Handler) checkLockHeaders(req *request, hasBody bool) error {
	hdr := req.r.Header
	if _, err := h.objectLocker(); err != nil {
		return err
	}
	if hasBody && !hasIntegrityHeader(hdr) {
		return errorf("InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is "+
			"required for Put Object requests with Object Lock parameters")
	}
	if hdr.Get(hdrLockMode) != "" || hdr.Get(hdrLockRetainUntil) != "" {
		if err := h.allow(req, "s3:PutObjectRetention", req.bucket, req.key); err != nil {
			return err
		}
	}
	if hdr.Get(hdrLockLegalHold) != "" {
		return h.allow(req, "s3:PutObjectLegalHold", req.bucket, req.key)
	}
	return nil
}

// hasIntegrityHeader reports whether a request carries Content-MD5 or a
// checksum, in a header or announced for its trailer.
func hasIntegrityHeader(hdr http.Header) bool {
	if hdr.Get("Content-Md5") != "" || hdr.Get("X-Amz-Sdk-Checksum-Algorithm") != "" {
		return true
	}
	for name := range hdr {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(hdr.Get("X-Amz-Trailer")), "x-amz-checksum-")
}

// lockFromHeaders reads the lock headers of a write to a bucket with
// Object Lock, or applies its default retention when they name no mode.
func lockFromHeaders(hdr http.Header, cfg object.BucketLockConfig,
	now time.Time) (object.ObjectLock, error) {
	var lock object.ObjectLock
	mode, date := hdr.Get(hdrLockMode), hdr.Get(hdrLockRetainUntil)
	switch {
	case mode != "" && date != "":
		r, err := newRetention(mode, date, now)
		if err != nil {
			return lock, err
		}
		lock.Mode, lock.RetainUntil = r.mode, r.until
	case mode != "" || date != "":
		return lock, errorf("InvalidArgument", "x-amz-object-lock-retain-until-date and "+
			"x-amz-object-lock-mode must both be supplied")
	default:
		if until, ok := cfg.DefaultRetainUntil(now); ok {
			lock.Mode, lock.RetainUntil = cfg.DefaultMode, until.UTC()
		}
	}
	switch v := hdr.Get(hdrLockLegalHold); v {
	case "", object.LegalHoldOn, object.LegalHoldOff:
		lock.LegalHold = v
	default:
		return lock, errorf("InvalidArgument", "Legal Hold must be either of 'ON' or 'OFF'")
	}
	return lock, nil
}

// setLockHeaders writes a version's lock settings on GET and HEAD.
func setLockHeaders(hdr http.Header, lock object.ObjectLock) {
	if lock.Mode != "" {
		hdr.Set(hdrLockMode, lock.Mode)
		hdr.Set(hdrLockRetainUntil, formatXMLTime(lock.RetainUntil))
	}
	if lock.LegalHold != "" {
		hdr.Set(hdrLockLegalHold, lock.LegalHold)
	}
}

// governanceBypass reports whether req may remove or shorten GOVERNANCE
// retention of bucket/key: it says x-amz-bypass-governance-retention:
// true and its key is root or allowed s3:BypassGovernanceRetention.
func (h *Handler) governanceBypass(req *request, key string) bool {
	if !strings.EqualFold(req.r.Header.Get(hdrBypassGovern), "true") {
		return false
	}
	return h.allow(req, "s3:BypassGovernanceRetention", req.bucket, key) == nil
}

// deleteChecked deletes as deleteAt does, except that a named version
// whose retention or legal hold protects it is kept (AccessDenied). The
// check and the delete hold the key together where the layer can.
func (h *Handler) deleteChecked(ctx context.Context, req *request, key,
	id string) (object.DeleteResult, error) {
	l, ok := h.layer.(object.ObjectLocker)
	if !ok || id == "" {
		return h.deleteAt(ctx, req.bucket, key, id)
	}
	bypass := h.governanceBypass(req, key)
	now := h.now()
	return l.DeleteObjectVersionIf(ctx, req.bucket, key, id, func(v object.ObjectInfo) error {
		return checkDeletable(v.Lock, bypass, now)
	})
}
