package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// Object Lock's bucket half: a bucket created with
// x-amz-bucket-object-lock-enabled, and its ?object-lock configuration.
// The per-version half (retention, legal hold, what they protect) is in
// objectlock_object.go and objectlock_rules.go.

// Limits of a default retention, as in AWS.
const (
	maxDefaultDays  = 36500
	maxDefaultYears = 100
)

// objectLockConfiguration is PutObjectLockConfiguration's body and
// GetObjectLockConfiguration's answer.
type objectLockConfiguration struct {
	XMLName           xml.Name      `xml:"ObjectLockConfiguration"`
	Xmlns             string        `xml:"xmlns,attr,omitempty"`
	ObjectLockEnabled string        `xml:"ObjectLockEnabled,omitempty"`
	Rule              *lockRuleBody `xml:"Rule"`
}

type lockRuleBody struct {
	DefaultRetention *defaultRetentionBody `xml:"DefaultRetention"`
}

type defaultRetentionBody struct {
	Mode  string `xml:"Mode,omitempty"`
	Days  *int   `xml:"Days"`
	Years *int   `xml:"Years"`
}

// parseObjectLockConfiguration decodes a PutObjectLockConfiguration body:
// ObjectLockEnabled must be Enabled; an optional Rule holds a
// DefaultRetention with a Mode and either Days or Years.
func parseObjectLockConfiguration(body []byte) (object.BucketLockConfig, error) {
	var c objectLockConfiguration
	if err := xml.Unmarshal(bytes.TrimSpace(body), &c); err != nil {
		return object.BucketLockConfig{}, newError("MalformedXML")
	}
	if c.ObjectLockEnabled != "Enabled" {
		return object.BucketLockConfig{}, newError("MalformedXML")
	}
	cfg := object.BucketLockConfig{Enabled: true}
	if c.Rule == nil {
		return cfg, nil
	}
	d := c.Rule.DefaultRetention
	if d == nil || !validMode(d.Mode) || (d.Days == nil) == (d.Years == nil) {
		return object.BucketLockConfig{}, newError("MalformedXML")
	}
	cfg.DefaultMode = d.Mode
	var err error
	if d.Days != nil {
		cfg.DefaultDays = *d.Days
		err = checkPeriod(cfg.DefaultDays, maxDefaultDays)
	} else {
		cfg.DefaultYears = *d.Years
		err = checkPeriod(cfg.DefaultYears, maxDefaultYears)
	}
	if err != nil {
		return object.BucketLockConfig{}, err
	}
	return cfg, nil
}

// checkPeriod accepts a default retention of 1 to max days or years.
func checkPeriod(n, max int) error {
	if n < 1 {
		return errorf("InvalidArgument", "Default retention period must be a positive "+
			"integer value.")
	}
	if n > max {
		return errorf("InvalidArgument", "Default retention period too large.")
	}
	return nil
}

// validMode reports whether mode is a retention mode.
func validMode(mode string) bool {
	return mode == object.LockGovernance || mode == object.LockCompliance
}

// lockConfigurationOf is the XML of a stored configuration.
func lockConfigurationOf(cfg object.BucketLockConfig) objectLockConfiguration {
	c := objectLockConfiguration{Xmlns: s3Namespace, ObjectLockEnabled: "Enabled"}
	if cfg.DefaultMode == "" {
		return c
	}
	d := &defaultRetentionBody{Mode: cfg.DefaultMode}
	if cfg.DefaultYears > 0 {
		d.Years = &cfg.DefaultYears
	} else {
		d.Days = &cfg.DefaultDays
	}
	c.Rule = &lockRuleBody{DefaultRetention: d}
	return c
}

// objectLocker returns the layer's Object Lock capability.
func (h *Handler) objectLocker() (object.ObjectLocker, error) {
	if l, ok := h.layer.(object.ObjectLocker); ok {
		return l, nil
	}
	return nil, errNotImplemented("Object Lock on this node's object layer")
}

// bucketLock returns the bucket's Object Lock configuration; the zero
// value when the layer keeps none.
func (h *Handler) bucketLock(ctx context.Context, bucket string) (object.BucketLockConfig, error) {
	l, ok := h.layer.(object.ObjectLocker)
	if !ok {
		return object.BucketLockConfig{}, nil
	}
	return l.BucketObjectLock(ctx, bucket)
}

// putBucketObjectLock is PutObjectLockConfiguration: PUT
// /bucket?object-lock. As AWS now allows, a bucket created without Object
// Lock may get it once its versioning is Enabled; it cannot be removed.
func (h *Handler) putBucketObjectLock(w http.ResponseWriter, req *request) error {
	l, err := h.objectLocker()
	if err != nil {
		return err
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	cfg, err := parseObjectLockConfiguration(body)
	if err != nil {
		return err
	}
	ctx := req.r.Context()
	cur, err := l.BucketObjectLock(ctx, req.bucket)
	if err != nil {
		return err
	}
	if !cur.Enabled {
		if err := h.checkLockable(ctx, req.bucket); err != nil {
			return err
		}
	}
	if err := l.PutBucketObjectLock(ctx, req.bucket, cfg); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkLockable accepts a bucket whose versioning is Enabled.
func (h *Handler) checkLockable(ctx context.Context, bucket string) error {
	v, err := h.versioned()
	if err != nil {
		return err
	}
	state, err := v.BucketVersioning(ctx, bucket)
	if err != nil {
		return err
	}
	if state != object.VersioningEnabled {
		return errInvalidBucketState("Versioning must be 'Enabled' on the bucket to apply " +
			"a Object Lock configuration.")
	}
	return nil
}

// getBucketObjectLock is GetObjectLockConfiguration: GET
// /bucket?object-lock.
func (h *Handler) getBucketObjectLock(w http.ResponseWriter, req *request) error {
	l, err := h.objectLocker()
	if err != nil {
		return err
	}
	cfg, err := l.BucketObjectLock(req.r.Context(), req.bucket)
	if err != nil {
		return err
	}
	if !cfg.Enabled {
		if _, err := h.layer.HeadBucket(req.r.Context(), req.bucket); err != nil {
			return err
		}
		return &apiError{status: http.StatusNotFound, code: "ObjectLockConfigurationNotFoundError",
			message: "Object Lock configuration does not exist for this bucket"}
	}
	writeXML(w, http.StatusOK, lockConfigurationOf(cfg))
	return nil
}

// errInvalidBucketState is S3's 409 for a change the bucket's state
// forbids.
func errInvalidBucketState(message string) *apiError {
	return &apiError{status: http.StatusConflict, code: "InvalidBucketState", message: message}
}

// lockRequested reports whether CreateBucket asks for Object Lock.
func lockRequested(hdr http.Header) bool {
	return strings.EqualFold(hdr.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true")
}

// prepareLockedBucket checks, before CreateBucket makes anything, that a
// bucket with Object Lock can be made: the layer keeps versions and lock
// settings, and a key other than root may also configure both.
func (h *Handler) prepareLockedBucket(req *request) error {
	if _, err := h.objectLocker(); err != nil {
		return err
	}
	if _, err := h.versioned(); err != nil {
		return err
	}
	for _, action := range []string{"s3:PutBucketObjectLockConfiguration",
		"s3:PutBucketVersioning"} {
		if err := h.allow(req, action, req.bucket, ""); err != nil {
			return err
		}
	}
	return nil
}

// enableBucketLock turns a bucket just made into one with Object Lock:
// versioning Enabled, then the lock configuration. When either fails the
// bucket is removed again, so that no bucket without its lock is left.
func (h *Handler) enableBucketLock(ctx context.Context, bucket string) error {
	v, err := h.versioned()
	if err != nil {
		return err
	}
	l, err := h.objectLocker()
	if err != nil {
		return err
	}
	err = v.PutBucketVersioning(ctx, bucket, object.VersioningEnabled)
	if err == nil {
		err = l.PutBucketObjectLock(ctx, bucket, object.BucketLockConfig{Enabled: true})
	}
	if err != nil {
		_ = h.layer.DeleteBucket(context.WithoutCancel(ctx), bucket)
		return err
	}
	return nil
}

// checkVersioningChange refuses to suspend versioning on a bucket with
// Object Lock.
func (h *Handler) checkVersioningChange(ctx context.Context, bucket, state string) error {
	if state != object.VersioningSuspended {
		return nil
	}
	cfg, err := h.bucketLock(ctx, bucket)
	if err != nil {
		return err
	}
	if cfg.Enabled {
		return errInvalidBucketState("An Object Lock configuration is present on this " +
			"bucket, so the versioning state cannot be changed.")
	}
	return nil
}
