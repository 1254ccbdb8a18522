package object

import (
	"context"
	"maps"
	"time"
)

// Object Lock retention modes, as S3 names them.
const (
	// LockGovernance protects a version until its retain-until date, except
	// from a caller allowed to bypass governance retention.
	LockGovernance = "GOVERNANCE"
	// LockCompliance protects a version from everyone until its
	// retain-until date; the date may be extended, never shortened.
	LockCompliance = "COMPLIANCE"
)

// Legal hold states, as S3 names them.
const (
	LegalHoldOn  = "ON"
	LegalHoldOff = "OFF"
)

// ObjectLock is one version's Object Lock settings: its retention and its
// legal hold. The zero value is a version that never had either.
type ObjectLock struct {
	// Mode is LockGovernance or LockCompliance, or "" without retention.
	Mode string
	// RetainUntil is when the retention ends; zero without retention.
	RetainUntil time.Time
	// LegalHold is LegalHoldOn or LegalHoldOff, or "" when never set.
	LegalHold string
}

// Retained reports whether the retention still protects the version at
// now.
func (o ObjectLock) Retained(now time.Time) bool {
	return o.Mode != "" && o.RetainUntil.After(now)
}

// BucketLockConfig is a bucket's Object Lock configuration. A bucket whose
// configuration is the zero value does not have Object Lock.
type BucketLockConfig struct {
	// Enabled is true for a bucket with Object Lock; it stays true.
	Enabled bool
	// DefaultMode is the retention mode given to new versions that name
	// none (LockGovernance or LockCompliance), or "" for no default.
	DefaultMode string
	// DefaultDays and DefaultYears are the default retention's length;
	// exactly one is positive when DefaultMode is set.
	DefaultDays  int
	DefaultYears int
}

// DefaultRetainUntil returns the end of the default retention of a version
// written at t, and false when the configuration has no default.
func (c BucketLockConfig) DefaultRetainUntil(t time.Time) (time.Time, bool) {
	switch {
	case c.DefaultMode == "":
		return time.Time{}, false
	case c.DefaultYears > 0:
		return t.AddDate(c.DefaultYears, 0, 0), true
	}
	return t.AddDate(0, 0, c.DefaultDays), true
}

// ObjectLocker is a Layer that keeps S3 Object Lock settings: each
// bucket's configuration and each version's retention and legal hold
// (Metadata.Lock, which PutObject and multipart uploads also store). The
// layer stores the settings; the S3 layer decides what they allow, through
// the callbacks below, which run while the key is held (across the
// tenant's nodes where a Locker orders changes).
type ObjectLocker interface {
	// PutBucketObjectLock stores the bucket's configuration, replacing
	// any previous one; the zero value removes it. It returns
	// ErrBucketNotFound for a missing bucket.
	PutBucketObjectLock(ctx context.Context, bucket string, cfg BucketLockConfig) error
	// BucketObjectLock returns the bucket's configuration, the zero value
	// when it has none.
	BucketObjectLock(ctx context.Context, bucket string) (BucketLockConfig, error)
	// UpdateObjectLock replaces the lock settings of one version
	// (versionID "" is the current one) with what change returns when
	// called with the version's info; its bytes, ETag and modification
	// time stay. An error from change aborts the update and is returned
	// wrapped. A delete marker has no settings: a *DeleteMarkerError.
	UpdateObjectLock(ctx context.Context, bucket, key, versionID string,
		change func(current ObjectInfo) (ObjectLock, error)) (ObjectInfo, error)
	// DeleteObjectVersionIf is DeleteObjectVersion of a named version
	// that first calls check with the version's info; an error from check
	// keeps the version and is returned as is. A missing version or a
	// delete marker is deleted without calling check.
	DeleteObjectVersionIf(ctx context.Context, bucket, key, versionID string,
		check func(ObjectInfo) error) (DeleteResult, error)
}

// Names under which a version's Object Lock settings are stored in the
// erasure layer's metadata map.
const (
	metaLockMode        = "lock-mode"
	metaLockRetainUntil = "lock-retain-until"
	metaLockLegalHold   = "lock-legal-hold"
)

// store adds the lock settings that are set to md.
func (o ObjectLock) store(md map[string]string) {
	if o.Mode != "" {
		md[metaLockMode] = o.Mode
		md[metaLockRetainUntil] = o.RetainUntil.UTC().Format(time.RFC3339Nano)
	}
	if o.LegalHold != "" {
		md[metaLockLegalHold] = o.LegalHold
	}
}

// loadLock reads the lock settings stored in md. A retain-until date that
// does not parse is kept as the latest date there is, so that a damaged
// record protects its version rather than freeing it.
func loadLock(md map[string]string) ObjectLock {
	o := ObjectLock{Mode: md[metaLockMode], LegalHold: md[metaLockLegalHold]}
	if o.Mode == "" {
		return o
	}
	t, err := time.Parse(time.RFC3339Nano, md[metaLockRetainUntil])
	if err != nil {
		t = time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC)
	}
	o.RetainUntil = t
	return o
}

// withLock returns a copy of md whose lock settings are replaced by o.
func withLock(md map[string]string, o ObjectLock) map[string]string {
	out := maps.Clone(md)
	if out == nil {
		out = map[string]string{}
	}
	delete(out, metaLockMode)
	delete(out, metaLockRetainUntil)
	delete(out, metaLockLegalHold)
	o.store(out)
	return out
}
