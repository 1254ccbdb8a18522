package model

import (
	"strings"
	"testing"
)

func TestValidatePoolChanges(t *testing.T) {
	t.Parallel()
	a := Pool{Name: "a", Servers: 2, DrivesPerServer: 2, DriveSize: "1Gi", Media: MediaSSD}
	b := Pool{Name: "b", Servers: 1, DrivesPerServer: 4, DriveSize: "1Gi", Media: MediaSSD}
	wider := a
	wider.Servers, wider.Media = 4, MediaHDD
	leavingB := []PoolStatus{{Name: "b", ID: "y", State: PoolDecommissioning}}
	tests := []struct {
		name       string
		old, spec  []Pool
		status     []PoolStatus
		wantFields []string
	}{
		{"adding a pool is fine", []Pool{a}, []Pool{a, b}, nil, nil},
		{"removing a pool is fine", []Pool{a, b}, []Pool{a}, nil, nil},
		{"a reshaped pool names each changed field", []Pool{a}, []Pool{wider}, nil,
			[]string{"spec.pools[0].servers", "spec.pools[0].media"}},
		{"a pool still decommissioning cannot come back", []Pool{a}, []Pool{a, b}, leavingB,
			[]string{"spec.pools[1].name"}},
		{"a removed pool may come back", []Pool{a}, []Pool{a, b},
			[]PoolStatus{{Name: "b", State: PoolRemoved}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			old := &Tenant{Spec: TenantSpec{Pools: tt.old}, Status: TenantStatus{Pools: tt.status}}
			var v Violations
			ValidatePoolChanges(&v, old, &TenantSpec{Pools: tt.spec})
			var got []string
			for _, f := range v {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantFields, ",") {
				t.Errorf("got %v, want %v", v, tt.wantFields)
			}
		})
	}
}

func TestDecommissionSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    PoolDecommission
		want string
	}{
		{
			name: "a failed pass names its first failure",
			d: PoolDecommission{State: DecommissionFailed, ObjectsMoved: 3, BytesMoved: 30,
				ObjectsLeft: -1, UploadsLeft: 1, Failed: []string{"b/k: no space"}},
			want: "failed: 3 object(s) moved (30 bytes), objects left unknown, 1 upload(s) " +
				"to finish, 1 failed (first: b/k: no space)",
		},
		{
			name: "a drain not yet measured says both counts are unknown",
			d: PoolDecommission{State: DecommissionDraining, ObjectsLeft: -1,
				UploadsLeft: -1},
			want: "draining: 0 object(s) moved (0 bytes), objects left unknown, " +
				"uploads left unknown",
		},
		{
			name: "a measured drain gives the counts",
			d: PoolDecommission{State: DecommissionDraining, ObjectsMoved: 5,
				BytesMoved: 50, ObjectsLeft: 2, UploadsLeft: 0},
			want: "draining: 5 object(s) moved (50 bytes), 2 left, 0 upload(s) to finish",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.d.Summary(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
