package kms

import (
	"testing"
	"time"
)

func TestRotationDue(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	one := &material{RotationGeneration: 2, Versions: []version{{Number: 1, Created: t0}}}
	tests := []struct {
		name     string
		m        *material
		p        Policy
		now      time.Time
		wantDue  bool
		wantNext time.Time
	}{
		{"a key without versions needs one", &material{}, Policy{}, t0, true, time.Time{}},
		{"no period means no rotation", one, Policy{Generation: 2}, t0.Add(1000 * time.Hour),
			false, time.Time{}},
		{"before the period ends the next rotation is planned", one,
			Policy{Period: time.Hour, Generation: 2}, t0.Add(59 * time.Minute), false,
			t0.Add(time.Hour)},
		{"when the period ends a version is due", one,
			Policy{Period: time.Hour, Generation: 2}, t0.Add(time.Hour), true, time.Time{}},
		{"long after the period a version is due", one,
			Policy{Period: time.Hour, Generation: 2}, t0.Add(50 * time.Hour), true, time.Time{}},
		{"a raised generation makes a version due at once", one,
			Policy{Period: time.Hour, Generation: 3}, t0, true, time.Time{}},
		{"a lower generation asks for nothing", one, Policy{Generation: 1}, t0, false,
			time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			due, next := rotationDue(tt.m, tt.p, tt.now)
			if due != tt.wantDue || !next.Equal(tt.wantNext) {
				t.Errorf("got due %v next %s, want %v and %s", due, next, tt.wantDue, tt.wantNext)
			}
		})
	}
}
