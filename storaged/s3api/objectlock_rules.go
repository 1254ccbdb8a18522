package s3api

import (
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// What Object Lock forbids, as AWS documents it. A version is protected
// while its legal hold is ON, or while its retention's date lies ahead:
// COMPLIANCE from everyone, GOVERNANCE from all but a request that may
// bypass it. Only deletes of a named version are refused; a delete
// without a version ID adds a delete marker and removes nothing.

// errObjectLocked is the AccessDenied of a change Object Lock forbids.
func errObjectLocked() *apiError {
	return errorf("AccessDenied", "Access Denied because object protected by object lock.")
}

// checkDeletable refuses to delete a version that lock protects at now.
func checkDeletable(lock object.ObjectLock, bypass bool, now time.Time) error {
	switch {
	case lock.LegalHold == object.LegalHoldOn:
		return errObjectLocked()
	case !lock.Retained(now):
		return nil
	case lock.Mode == object.LockGovernance && bypass:
		return nil
	}
	return errObjectLocked()
}

// checkRetentionChange refuses a new retention that weakens the current
// one while it protects the version: COMPLIANCE may only be extended, in
// COMPLIANCE; GOVERNANCE may be extended or made COMPLIANCE, and
// shortened or removed only with bypass. An expired retention may be
// replaced by anything.
func checkRetentionChange(cur object.ObjectLock, next retention, bypass bool,
	now time.Time) error {
	if !cur.Retained(now) {
		return nil
	}
	weaker := next.mode == "" || next.until.Before(cur.RetainUntil)
	switch {
	case cur.Mode == object.LockCompliance && (weaker || next.mode != object.LockCompliance):
		return errObjectLocked()
	case cur.Mode == object.LockGovernance && weaker && !bypass:
		return errObjectLocked()
	}
	return nil
}
