package model

import (
	"strings"
	"testing"
)

func TestTierSpecDefaultsAndValidates(t *testing.T) {
	t.Parallel()
	s3 := func(f func(*TierS3)) *TierS3 {
		s := &TierS3{Endpoint: "https://s3.example.com", Bucket: "archive", AccessKeyID: "AK"}
		if f != nil {
			f(s)
		}
		return s
	}
	tests := []struct {
		name string
		spec TierSpec
		want []string
	}{
		{"an s3 tier is valid", TierSpec{Tenant: "acme", StorageClass: "COLD", S3: s3(nil)}, nil},
		{"a tier on another tenant is valid", TierSpec{Tenant: "acme", StorageClass: "COLD",
			TenantBucket: &TierTenantBucket{Tenant: "beta", Bucket: "archive"}}, nil},
		{"a tier without class or target names both", TierSpec{Tenant: "acme"},
			[]string{"spec.storageClass", "spec"}},
		{"an endpoint with credentials in it is refused", TierSpec{Tenant: "acme",
			StorageClass: "COLD", S3: s3(func(s *TierS3) {
				s.Endpoint = "https://user:pw@s3.example.com"
			})}, []string{"spec.s3.endpoint"}},
		{"an overlong prefix is refused", TierSpec{Tenant: "acme", StorageClass: "COLD",
			S3: s3(func(s *TierS3) { s.Prefix = strings.Repeat("p", 513) })},
			[]string{"spec.s3.prefix"}},
		{"a bad region is refused", TierSpec{Tenant: "acme", StorageClass: "COLD",
			S3: s3(func(s *TierS3) { s.Region = "EU" })}, []string{"spec.s3.region"}},
		{"an s3 target names each missing field", TierSpec{Tenant: "acme", StorageClass: "COLD",
			S3: &TierS3{}},
			[]string{"spec.s3.endpoint", "spec.s3.bucket", "spec.s3.accessKeyId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.spec.Default()
			checkFields(t, tt.spec.Validate(), tt.want)
		})
	}
}

func TestStorageClassNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		class string
		ok    bool
	}{
		{"COLD", true},
		{"GLACIER_IR", true},
		{"T2", true},
		{"cold", false},
		{"2COLD", false},
		{"_COLD", false},
		{"COLD-1", false},
		{"STANDARD", false},
		{"REDUCED_REDUNDANCY", false},
		{"A" + strings.Repeat("B", 31), true},
		{"A" + strings.Repeat("B", 32), false},
	}
	for _, tt := range tests {
		t.Run("storage class "+tt.class, func(t *testing.T) {
			t.Parallel()
			var v Violations
			ValidateStorageClass(&v, "class", tt.class)
			if (len(v) == 0) != tt.ok {
				t.Errorf("got violations %v, want ok=%v", v, tt.ok)
			}
		})
	}
}
