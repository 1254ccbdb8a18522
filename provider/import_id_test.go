package provider

import (
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
)

func TestParseBucketID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		id         string
		wantTenant string
		wantBucket string
		wantErr    string
	}{
		{"tenant/name is split", "acme/logs", "acme", "logs", ""},
		{"a bucket name with dots is kept whole", "acme/logs.v2", "acme", "logs.v2", ""},
		{"a bare name is refused", "logs", "", "", "not of the form tenant/name"},
		{"an empty tenant is refused", "/logs", "", "", "not of the form tenant/name"},
		{"an empty bucket is refused", "acme/", "", "", "not of the form tenant/name"},
		{"three parts are refused", "acme/logs/x", "", "", "not of the form tenant/name"},
		{"an invalid bucket name is refused", "acme/Logs", "", "", "not a valid bucket name"},
		{"an invalid tenant name is refused", "Acme/logs", "", "", "not a valid name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tenant, bucket, err := parseChildID(tt.id, "acme/logs", "bucket",
				model.ValidateBucketName)
			checkErr(t, err, tt.wantErr)
			if tenant != tt.wantTenant || bucket != tt.wantBucket {
				t.Errorf("got %q, %q; want %q, %q", tenant, bucket, tt.wantTenant, tt.wantBucket)
			}
		})
	}
}

func TestParseNameID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id      string
		wantErr string
	}{
		{"a valid name is the ID", "acme", ""},
		{"a path is refused", "acme/logs", "is not a tenant name"},
		{"an empty ID is refused", "", "is not a tenant name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseNameID("tenant", tt.id)
			checkErr(t, err, tt.wantErr)
			if err == nil && got != tt.id {
				t.Errorf("got %q, want %q", got, tt.id)
			}
		})
	}
}
