package model

import "testing"

func TestPoolSetSizeFollowsStoragedRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		servers, drives int
		wantSize        int
	}{
		{"a single server keeps every drive in one set", 1, 32, 32},
		{"four servers of two drives make one set of eight", 4, 2, 8},
		{"sixteen drives on two servers make one set", 2, 8, 16},
		{"thirty-two drives make two sets of sixteen", 4, 8, 16},
		{"eighteen drives make two sets of nine", 6, 3, 9},
		{"seventeen drives on seventeen servers cannot be cut", 17, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Pool{Servers: tt.servers, DrivesPerServer: tt.drives}
			if got := p.SetSize(); got != tt.wantSize {
				t.Errorf("got %d, want %d", got, tt.wantSize)
			}
		})
	}
}

func TestMultiServerPoolsValidateAgainstTheirSets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pool      Pool
		parity    int
		wantField string
	}{
		{"parity up to half a set is valid", Pool{Servers: 4, DrivesPerServer: 8}, 8, ""},
		{
			"parity over half a set is refused",
			Pool{Servers: 4, DrivesPerServer: 8},
			9,
			"spec.parity",
		},
		{
			"drives that cannot be cut are refused",
			Pool{Servers: 17, DrivesPerServer: 1},
			1,
			"spec.pools[0]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.pool.Name = "p"
			s := TenantSpec{Cluster: "local", Parity: tt.parity, Pools: []Pool{tt.pool}}
			s.Default()
			v := s.Validate()
			switch {
			case tt.wantField == "" && len(v) > 0:
				t.Errorf("got %v, want no violation", v)
			case tt.wantField != "" && (len(v) != 1 || v[0].Field != tt.wantField):
				t.Errorf("got %v, want one violation of %s", v, tt.wantField)
			}
		})
	}
}

func TestDefaultParityFollowsTheSetNotThePool(t *testing.T) {
	t.Parallel()
	s := TenantSpec{Cluster: "local", Pools: []Pool{{Name: "p", Servers: 2, DrivesPerServer: 2}}}
	s.Default()
	if s.Parity != 2 {
		t.Errorf("2 servers of 2 drives: got parity %d, want 2", s.Parity)
	}
}
