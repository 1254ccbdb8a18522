package model

import (
	"fmt"
	"strings"
	"testing"
)

func TestBucketObjectLockQuotaAndLifecycleValidation(t *testing.T) {
	t.Parallel()
	lock := func(mode string, days, years int) BucketSpec {
		return BucketSpec{Versioning: VersioningEnabled,
			ObjectLock: &BucketObjectLock{Mode: mode, Days: days, Years: years}}
	}
	quota := func(size string) BucketSpec {
		return BucketSpec{Quota: &BucketQuota{MaxSize: size}}
	}
	rules := func(r ...BucketLifecycleRule) BucketSpec { return BucketSpec{Lifecycle: r} }
	many := make([]BucketLifecycleRule, MaxLifecycleRules+1)
	for i := range many {
		many[i] = BucketLifecycleRule{ID: fmt.Sprintf("r%d", i), ExpireDays: 1}
	}
	tests := []struct {
		name  string
		spec  BucketSpec
		field string // "" when the spec is valid
		words string
	}{
		{"GOVERNANCE for 30 days is valid", lock(LockGovernance, 30, 0), "", ""},
		{"COMPLIANCE for 100 years is valid", lock(LockCompliance, 0, 100), "", ""},
		{"36500 days is valid", lock(LockGovernance, MaxLockDays, 0), "", ""},
		{"a lowercase mode is invalid", lock("governance", 1, 0), "spec.objectLock.mode",
			"case-sensitive"},
		{"a lock without a mode is invalid", lock("", 1, 0), "spec.objectLock.mode",
			"is required"},
		{"both days and years are invalid", lock(LockGovernance, 1, 1), "spec.objectLock",
			"both days and years"},
		{"neither days nor years is invalid", lock(LockGovernance, 0, 0), "spec.objectLock",
			"neither days nor years"},
		{"36501 days is too long", lock(LockGovernance, MaxLockDays+1, 0),
			"spec.objectLock.days", "use 1 to 36500"},
		{"101 years is too long", lock(LockCompliance, 0, MaxLockYears+1),
			"spec.objectLock.years", "use 1 to 100"},
		{"negative days are invalid", lock(LockGovernance, -1, 0), "spec.objectLock.days",
			"out of range"},
		{"a quota of 100Gi is valid", quota("100Gi"), "", ""},
		{"a quota of 1 byte is valid", quota("1"), "", ""},
		{"a quota without a limit is invalid", quota(""), "spec.quota", "sets no limit"},
		{"a quota of objects alone is valid",
			BucketSpec{Quota: &BucketQuota{MaxObjects: 1000}}, "", ""},
		{"a quota of bytes and objects is valid",
			BucketSpec{Quota: &BucketQuota{MaxSize: "1Gi", MaxObjects: 1000}}, "", ""},
		{"a negative quota of objects is invalid",
			BucketSpec{Quota: &BucketQuota{MaxSize: "1Gi", MaxObjects: -1}},
			"spec.quota.maxObjects", "is negative"},
		{"a quota of 0 bytes is invalid", quota("0"), "spec.quota.maxSize",
			"at least one byte"},
		{"a quota in lowercase units is invalid", quota("10gi"), "spec.quota.maxSize",
			"such as 10Gi"},
		{"a rule expiring after 30 days is valid",
			rules(BucketLifecycleRule{ID: "old", Prefix: "logs/", ExpireDays: 30}), "", ""},
		{"1000 rules are valid", rules(many[:MaxLifecycleRules]...), "", ""},
		{"1001 rules are too many", rules(many...), "spec.lifecycle", "at most 1000"},
		{"a rule without an ID is invalid", rules(BucketLifecycleRule{ExpireDays: 1}),
			"spec.lifecycle[0].id", "is required"},
		{"a rule ID of 256 characters is too long",
			rules(BucketLifecycleRule{ID: strings.Repeat("r", 256), ExpireDays: 1}),
			"spec.lifecycle[0].id", "1 to 255"},
		{"two rules with one ID are invalid",
			rules(BucketLifecycleRule{ID: "r", ExpireDays: 1},
				BucketLifecycleRule{ID: "r", ExpireDays: 2}),
			"spec.lifecycle[1].id", "must be unique"},
		{"a rule that does nothing is invalid", rules(BucketLifecycleRule{ID: "r"}),
			"spec.lifecycle[0].expireDays", "is required"},
		{"negative expireDays are invalid", rules(BucketLifecycleRule{ID: "r",
			ExpireDays: -3}), "spec.lifecycle[0].expireDays", "negative"},
		{"a prefix longer than a key is invalid", rules(BucketLifecycleRule{ID: "r",
			ExpireDays: 1, Prefix: strings.Repeat("p", 1025)}), "spec.lifecycle[0].prefix",
			"at most 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.spec.Tenant = "acme"
			v := tt.spec.Validate()
			if tt.field == "" {
				if len(v) > 0 {
					t.Errorf("got violations %v, want none", v)
				}
				return
			}
			if !hasBucketViolation(v, tt.field, tt.words) {
				t.Errorf("got violations %v, want one of %s saying %q", v, tt.field, tt.words)
			}
		})
	}
}

func TestObjectLockNeedsVersioningAndStays(t *testing.T) {
	t.Parallel()
	lock := &BucketObjectLock{Mode: LockGovernance, Days: 1}
	tests := []struct {
		name  string
		old   *BucketObjectLock
		spec  BucketSpec
		words string // "" when allowed
	}{
		{"a lock with versioning Enabled is allowed", nil,
			BucketSpec{Versioning: VersioningEnabled, ObjectLock: lock}, ""},
		{"a lock without versioning is refused", nil, BucketSpec{ObjectLock: lock},
			ObjectLockNeedsVersioning},
		{"a lock with versioning Suspended is refused", nil,
			BucketSpec{Versioning: VersioningSuspended, ObjectLock: lock},
			ObjectLockNeedsVersioning},
		{"changing the lock's period is allowed", lock,
			BucketSpec{Versioning: VersioningEnabled,
				ObjectLock: &BucketObjectLock{Mode: LockCompliance, Years: 1}}, ""},
		{"removing a declared lock is refused", lock,
			BucketSpec{Versioning: VersioningEnabled}, ObjectLockCannotBeRemoved},
		{"never declaring a lock is allowed", nil, BucketSpec{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v Violations
			ValidateObjectLockChange(&v, "spec.objectLock", tt.old, &tt.spec)
			if tt.words == "" {
				if len(v) > 0 {
					t.Errorf("got %v, want none", v)
				}
				return
			}
			if len(v) != 1 || !hasBucketViolation(v, "spec.objectLock", tt.words) {
				t.Errorf("got %v, want one violation of spec.objectLock saying %q", v,
					tt.words)
			}
		})
	}
}

func TestQuotaBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		size string
		want int64
	}{
		{"100Gi", 100 << 30},
		{"1K", 1000},
		{"5", 5},
		{"", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is %d bytes", tt.size, tt.want), func(t *testing.T) {
			t.Parallel()
			got, err := QuotaBytes(BucketQuota{MaxSize: tt.size})
			if err != nil || got != tt.want {
				t.Errorf("got %d, %v, want %d", got, err, tt.want)
			}
		})
	}
}
