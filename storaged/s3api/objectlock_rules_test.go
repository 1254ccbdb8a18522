package s3api

import (
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

var (
	ruleNow    = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	rulePast   = ruleNow.Add(-time.Hour)
	ruleFuture = ruleNow.Add(24 * time.Hour)
)

func TestCheckDeletable(t *testing.T) {
	t.Parallel()
	gov := object.ObjectLock{Mode: object.LockGovernance, RetainUntil: ruleFuture}
	comp := object.ObjectLock{Mode: object.LockCompliance, RetainUntil: ruleFuture}
	tests := []struct {
		name    string
		lock    object.ObjectLock
		bypass  bool
		allowed bool
	}{
		{"a version without lock settings may go", object.ObjectLock{}, false, true},
		{"COMPLIANCE ahead protects", comp, false, false},
		{"COMPLIANCE ahead protects even with bypass", comp, true, false},
		{"COMPLIANCE in the past protects nothing",
			object.ObjectLock{Mode: object.LockCompliance, RetainUntil: rulePast}, false, true},
		{"GOVERNANCE ahead protects without bypass", gov, false, false},
		{"GOVERNANCE ahead gives way to bypass", gov, true, true},
		{"GOVERNANCE in the past protects nothing",
			object.ObjectLock{Mode: object.LockGovernance, RetainUntil: rulePast}, false, true},
		{
			"a legal hold ON protects",
			object.ObjectLock{LegalHold: object.LegalHoldOn},
			false,
			false,
		},
		{"a legal hold ON protects even with bypass and expired retention",
			object.ObjectLock{Mode: object.LockGovernance, RetainUntil: rulePast,
				LegalHold: object.LegalHoldOn}, true, false},
		{"a legal hold OFF protects nothing", object.ObjectLock{LegalHold: object.LegalHoldOff},
			false, true},
		{"retention ending exactly now protects nothing",
			object.ObjectLock{Mode: object.LockCompliance, RetainUntil: ruleNow}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkDeletable(tt.lock, tt.bypass, ruleNow)
			if (err == nil) != tt.allowed {
				t.Fatalf("got %v, want allowed %v", err, tt.allowed)
			}
			if err != nil && toAPIError(err).code != "AccessDenied" {
				t.Errorf("got code %s, want AccessDenied", toAPIError(err).code)
			}
		})
	}
}

func TestCheckRetentionChange(t *testing.T) {
	t.Parallel()
	later := ruleFuture.Add(time.Hour)
	sooner := ruleFuture.Add(-time.Hour)
	gov := object.ObjectLock{Mode: object.LockGovernance, RetainUntil: ruleFuture}
	comp := object.ObjectLock{Mode: object.LockCompliance, RetainUntil: ruleFuture}
	tests := []struct {
		name    string
		cur     object.ObjectLock
		next    retention
		bypass  bool
		allowed bool
	}{
		{"a version without retention takes any", object.ObjectLock{},
			retention{object.LockCompliance, later}, false, true},
		{"COMPLIANCE may be extended", comp, retention{object.LockCompliance, later}, false, true},
		{"COMPLIANCE may be set again to the same date", comp,
			retention{object.LockCompliance, ruleFuture}, false, true},
		{"COMPLIANCE may not be shortened", comp, retention{object.LockCompliance, sooner},
			true, false},
		{"COMPLIANCE may not become GOVERNANCE", comp, retention{object.LockGovernance, later},
			true, false},
		{"COMPLIANCE may not be removed", comp, retention{}, true, false},
		{"an expired COMPLIANCE may be replaced", object.ObjectLock{Mode: object.LockCompliance,
			RetainUntil: rulePast}, retention{object.LockGovernance, sooner}, false, true},
		{"GOVERNANCE may be extended", gov, retention{object.LockGovernance, later}, false, true},
		{"GOVERNANCE may become COMPLIANCE", gov, retention{object.LockCompliance, ruleFuture},
			false, true},
		{"GOVERNANCE may not be shortened without bypass", gov,
			retention{object.LockGovernance, sooner}, false, false},
		{"GOVERNANCE may be shortened with bypass", gov, retention{object.LockGovernance, sooner},
			true, true},
		{"GOVERNANCE may not be removed without bypass", gov, retention{}, false, false},
		{"GOVERNANCE may be removed with bypass", gov, retention{}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkRetentionChange(tt.cur, tt.next, tt.bypass, ruleNow)
			if (err == nil) != tt.allowed {
				t.Fatalf("got %v, want allowed %v", err, tt.allowed)
			}
			if err != nil && toAPIError(err).code != "AccessDenied" {
				t.Errorf("got code %s, want AccessDenied", toAPIError(err).code)
			}
		})
	}
}
