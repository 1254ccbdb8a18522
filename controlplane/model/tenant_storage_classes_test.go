package model

import "testing"

func TestValidateStorageClasses(t *testing.T) {
	t.Parallel()
	rrs := func(p int) *TenantStorageClasses {
		return &TenantStorageClasses{ReducedRedundancy: &StorageClassCoding{Parity: p}}
	}
	tests := []struct {
		name       string
		parity     int
		classes    *TenantStorageClasses
		wantErr    bool
		wantParity int
	}{
		{"no storage classes are valid", 2, nil, false, 0},
		{"no reduced redundancy is valid", 2, &TenantStorageClasses{}, false, 0},
		{"parity 1 under 2 is valid", 2, rrs(1), false, 1},
		{"the tenant's own parity is valid", 3, rrs(3), false, 3},
		{"more than the tenant's parity is refused", 2, rrs(3), true, 3},
		{"zero is refused", 2, rrs(0), true, 0},
		{"a negative parity is refused", 2, rrs(-1), true, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := TenantSpec{Parity: tt.parity, StorageClasses: tt.classes}
			v := s.ValidateStorageClasses()
			if got := len(v) > 0; got != tt.wantErr {
				t.Fatalf("got violations %v, want any: %v", v, tt.wantErr)
			}
			if tt.wantErr && v[0].Field != "spec.storageClasses.reducedRedundancy.parity" {
				t.Errorf("got field %q, want spec.storageClasses.reducedRedundancy.parity",
					v[0].Field)
			}
			if got := s.ReducedRedundancyParity(); got != tt.wantParity {
				t.Errorf("ReducedRedundancyParity: got %d, want %d", got, tt.wantParity)
			}
		})
	}
}
