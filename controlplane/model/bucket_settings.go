package model

import (
	"fmt"
	"unicode/utf8"
)

// ValidateObjectLock checks a declared object lock as storaged does: mode
// GOVERNANCE or COMPLIANCE, and exactly one of days (1 to 36500) or years
// (1 to 100).
func ValidateObjectLock(v *Violations, field string, l BucketObjectLock) {
	switch l.Mode {
	case LockGovernance, LockCompliance:
	case "":
		v.Add(field+".mode", "is required: use GOVERNANCE or COMPLIANCE")
	default:
		v.Add(field+".mode", "%q is not a retention mode: use GOVERNANCE or COMPLIANCE (the "+
			"words are case-sensitive, as in S3)", l.Mode)
	}
	switch {
	case l.Days != 0 && l.Years != 0:
		v.Add(field, "sets both days and years: set exactly one")
	case l.Days == 0 && l.Years == 0:
		v.Add(field, "sets neither days nor years: set exactly one default retention period")
	case l.Days != 0:
		checkPeriod(v, field+".days", l.Days, MaxLockDays)
	default:
		checkPeriod(v, field+".years", l.Years, MaxLockYears)
	}
}

// checkPeriod checks a default retention period of 1 to most.
func checkPeriod(v *Violations, field string, n, most int) {
	if n < 1 || n > most {
		v.Add(field, "%d is out of range: use 1 to %d", n, most)
	}
}

// ValidateObjectLockChange checks object lock against the rest of the
// spec and its history (old is nil on create): a declared lock needs
// versioning Enabled, and once declared it cannot be removed. The API
// answers these 422.
func ValidateObjectLockChange(v *Violations, field string, old *BucketObjectLock,
	spec *BucketSpec) {
	switch {
	case spec.ObjectLock == nil && old != nil:
		v.Add(field, ObjectLockCannotBeRemoved)
	case spec.ObjectLock != nil && spec.Versioning != VersioningEnabled:
		v.Add(field, ObjectLockNeedsVersioning)
	}
}

// ValidateQuota checks a declared quota: it sets maxSize, maxObjects or
// both; maxSize is a size such as "100Gi" of at least one byte, maxObjects
// a positive number.
func ValidateQuota(v *Violations, field string, q BucketQuota) {
	if q.MaxObjects < 0 {
		v.Add(field+".maxObjects", "%d is negative: set the most objects the bucket may "+
			"hold, or leave it out", q.MaxObjects)
	}
	if q.MaxSize == "" {
		if q.MaxObjects == 0 {
			v.Add(field, "sets no limit: set maxSize (the most bytes the bucket may hold, "+
				"such as 100Gi), maxObjects (the most objects) or both")
		}
		return
	}
	if _, err := QuotaBytes(q); err != nil {
		v.Add(field+".maxSize", "%v", err)
	}
}

// QuotaBytes returns a quota's maxSize in bytes, 0 when it sets none; a
// size it sets must be positive.
func QuotaBytes(q BucketQuota) (int64, error) {
	if q.MaxSize == "" {
		return 0, nil
	}
	n, err := ParseSize(q.MaxSize)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("model: size %q: a quota must be at least one byte", q.MaxSize)
	}
	return n, nil
}

// ValidateLifecycle checks declared lifecycle rules as storaged does: at
// most 1000, each with a unique ID of 1 to 255 characters, a prefix of at
// most 1024 bytes of UTF-8, and expireDays of at least 1 (a rule must do
// something; its transition fields are refused by NotBuilt).
func ValidateLifecycle(v *Violations, field string, rules []BucketLifecycleRule) {
	if len(rules) > MaxLifecycleRules {
		v.Add(field, "has %d rules: S3 allows at most %d", len(rules), MaxLifecycleRules)
	}
	seen := map[string]bool{}
	for i, r := range rules {
		f := fmt.Sprintf("%s[%d]", field, i)
		validateLifecycleRule(v, f, r)
		if r.ID != "" && seen[r.ID] {
			v.Add(f+".id", "%q is used by another rule: rule IDs must be unique", r.ID)
		}
		seen[r.ID] = true
	}
}

// validateLifecycleRule checks one lifecycle rule.
func validateLifecycleRule(v *Violations, field string, r BucketLifecycleRule) {
	switch n := utf8.RuneCountInString(r.ID); {
	case n == 0:
		v.Add(field+".id", "is required: name the rule")
	case n > MaxLifecycleIDLength || !utf8.ValidString(r.ID):
		v.Add(field+".id", "must be 1 to %d characters of UTF-8", MaxLifecycleIDLength)
	}
	if len(r.Prefix) > MaxLifecyclePrefix || !utf8.ValidString(r.Prefix) {
		v.Add(field+".prefix", "must be at most %d bytes of UTF-8, like an object key",
			MaxLifecyclePrefix)
	}
	transition := r.TransitionDays != 0 || r.TransitionTier != ""
	switch {
	case r.ExpireDays < 0:
		v.Add(field+".expireDays", "%d is negative: use at least 1", r.ExpireDays)
	case r.ExpireDays == 0 && !transition:
		v.Add(field+".expireDays", "is required: a rule must expire objects some days "+
			"(at least 1) after they were written")
	}
}
