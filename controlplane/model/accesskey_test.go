package model

import (
	"slices"
	"strings"
	"testing"
)

func TestAccessKeySpecValidates(t *testing.T) {
	t.Parallel()
	const policy = `{"Version":"2012-10-17","Statement":[]}`
	tests := []struct {
		name string
		spec AccessKeySpec
		want []string // violated fields, in order
	}{
		{"a key with a policy is valid", AccessKeySpec{Tenant: "acme", Policy: policy}, nil},
		{"a 256-character description is valid", AccessKeySpec{Tenant: "acme",
			Policy: policy, Description: strings.Repeat("é", 256)}, nil},
		{"a key without a tenant or policy names both", AccessKeySpec{},
			[]string{"spec.tenant", "spec.policy"}},
		{"a policy that is a JSON array is refused", AccessKeySpec{Tenant: "acme",
			Policy: `[]`}, []string{"spec.policy"}},
		{"a policy over 6144 bytes is refused", AccessKeySpec{Tenant: "acme",
			Policy: `{"x":"` + strings.Repeat("a", MaxAccessKeyPolicy) + `"}`},
			[]string{"spec.policy"}},
		{"a 257-character description is refused", AccessKeySpec{Tenant: "acme",
			Policy: policy, Description: strings.Repeat("d", 257)},
			[]string{"spec.description"}},
		{"a negative secret version is refused", AccessKeySpec{Tenant: "acme",
			Policy: policy, SecretVersion: -1}, []string{"spec.secretVersion"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, v := range tt.spec.Validate() {
				got = append(got, v.Field)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got violations of %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGrantCompactsThePolicy(t *testing.T) {
	t.Parallel()
	a := AccessKey{Metadata: Metadata{Name: "ci"}, Spec: AccessKeySpec{
		Policy: "{\n  \"Version\": \"2012-10-17\"\n}"},
		Status: AccessKeyStatus{AccessKeyID: "AKID", SecretAccessKey: "secret"}}
	g := a.Grant()
	if g.Name != "ci" || g.AccessKeyID != "AKID" || g.SecretAccessKey != "secret" ||
		string(g.Policy) != `{"Version":"2012-10-17"}` {
		t.Errorf("got %+v with policy %s, want ci's pair and the compact policy", g, g.Policy)
	}
}

func TestValidAccessKeyID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{"SKIAABCDEFGHIJ234567": true,
		"skiaabcdefghij234567": false, "SKIA": false, "SKIAABCDEFGHIJ2345678": false} {
		if got := ValidAccessKeyID(id); got != want {
			t.Errorf("ValidAccessKeyID(%q): got %v, want %v", id, got, want)
		}
	}
}
