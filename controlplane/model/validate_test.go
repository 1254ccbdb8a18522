package model

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1Gi", 1 << 30, true},
		{"512Mi", 512 << 20, true},
		{"10G", 10e9, true},
		{"7", 7, true},
		{"1.5Gi", 0, false},
		{"Gi", 0, false},
		{"-1Gi", 0, false},
		{"99999999999Ti", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDefaultParityFollowsSetSize(t *testing.T) {
	t.Parallel()
	want := map[int]int{2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 4, 16: 4}
	for n, p := range want {
		if got := DefaultParity(n); got != p {
			t.Errorf("DefaultParity(%d) = %d, want %d", n, got, p)
		}
	}
}

func TestBucketNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"logs", true},
		{"my.bucket-1", true},
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"Logs", false},
		{"-logs", false},
		{"a..b", false},
		{"192.168.1.1", false},
		{"strata", false},
		{"xn--abc", false},
		{"sthree-x", false},
		{"abc-s3alias", false},
		{"b--ol-s3", false},
		{"amzn-s3-demo-bucket", false},
		{"my-xn--ok", true},
	}
	for _, tt := range tests {
		var v Violations
		ValidateBucketName(&v, "name", tt.name)
		if (len(v) == 0) != tt.ok {
			t.Errorf("bucket %q: got violations %v, want ok=%v", tt.name, v, tt.ok)
		}
	}
}

func TestTenantSpecDefaultsAndValidates(t *testing.T) {
	t.Parallel()
	s := TenantSpec{Cluster: "local", Pools: []Pool{{Name: "p", Servers: 1, DrivesPerServer: 4}}}
	s.Default()
	if v := s.Validate(); len(v) > 0 {
		t.Fatalf("valid spec: got %v", v)
	}
	if s.Parity != 2 || s.Region != DefaultRegion || s.Pools[0].Media != MediaSSD {
		t.Errorf("defaults: got %+v", s)
	}
	s.Parity = 3
	if v := s.Validate(); len(v) != 1 || v[0].Field != "spec.parity" {
		t.Errorf("parity 3 of 4 drives: got %v, want one spec.parity violation", v)
	}
	s.Pools = append(s.Pools, s.Pools[0])
	s.Parity = 2
	if v := s.Validate(); len(v) != 1 || v[0].Field != "spec.pools[1].name" {
		t.Errorf("duplicate pool: got %v, want one spec.pools[1].name violation", v)
	}
}
