package model

import (
	"testing"
	"time"
)

func TestParseRotationPeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"720h", 720 * time.Hour, true},
		{"1h", time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"59m59s", 0, false},
		{"30d", 0, false},
		{"", 0, false},
		{"-2h", 0, false},
	}
	for _, tt := range tests {
		t.Run("rotation period "+tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRotationPeriod(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("got %s, %v; want %s, ok=%v", got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestKeySpecDefaultsAndValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec KeySpec
		want []string // violated fields, in order
	}{
		{"an empty key is a builtin key", KeySpec{Tenant: "acme"}, nil},
		{"a vault key with its Transit key is valid", KeySpec{Tenant: "acme",
			Backend: KeyBackendVault, Vault: &VaultKey{Mount: "transit", KeyName: "k"}}, nil},
		{"a vault key names each missing part", KeySpec{Tenant: "acme",
			Backend: KeyBackendVault, Vault: &VaultKey{}},
			[]string{"spec.vault.mount", "spec.vault.keyName"}},
		{"a key without a tenant is refused", KeySpec{}, []string{"spec.tenant"}},
		{"a short period and a negative generation are both refused", KeySpec{Tenant: "acme",
			RotationPeriod: "1m", RotationGeneration: -1},
			[]string{"spec.rotationPeriod", "spec.rotationGeneration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.spec.Default()
			checkFields(t, tt.spec.Validate(), tt.want)
			if tt.spec.Backend == "" {
				t.Errorf("got no backend after Default, want builtin")
			}
		})
	}
}

// checkFields checks that v names exactly the want fields, in order.
func checkFields(t *testing.T, v Violations, want []string) {
	t.Helper()
	if len(v) != len(want) {
		t.Fatalf("got violations %v, want %v", v, want)
	}
	for i := range v {
		if v[i].Field != want[i] {
			t.Errorf("violation %d: got %s, want %s", i, v[i].Field, want[i])
		}
	}
}
