package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
)

// s3Tier is a tier spec with an S3 target and the given secret.
func s3Tier(secret string) model.TierSpec {
	return model.TierSpec{StorageClass: "COLD", S3: &model.TierS3{
		Endpoint: "https://s3.example.com", Bucket: "archive", AccessKeyID: "AKIDEXAMPLE",
		SecretAccessKey: secret,
	}}
}

func TestTierSecretIsStoredButNeverAnswered(t *testing.T) {
	t.Parallel()
	ts, c, _, st := newTestServerWithStore(t)
	ctx := context.Background()
	mustTenant(t, c)
	const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"

	put, err := c.PutTier(ctx, "acme", "cold", s3Tier(secret), nil)
	if err != nil {
		t.Fatal(err)
	}
	if put.Spec.S3.SecretAccessKey != "" || put.Spec.S3.Region != model.DefaultRegion {
		t.Errorf("PUT answer: got s3 %+v, want no secret and region us-east-1", put.Spec.S3)
	}
	for _, path := range []string{"/v1/tenants/acme/tiers/cold", "/v1/tenants/acme/tiers"} {
		body, _ := io.ReadAll(do(t, ts, http.MethodGet, path, "", nil).Body)
		if bytes.Contains(body, []byte(secret)) || bytes.Contains(body, []byte("secretAccessKey")) {
			t.Errorf("GET %s: got %s, want no secret", path, body)
		}
	}
	rec, err := st.Get(ctx, model.KindTier, "acme/cold")
	if err != nil || !bytes.Contains(rec.Value, []byte(secret)) {
		t.Errorf("stored tier: got %s, %v; want the secret kept for the control plane",
			rec.Value, err)
	}
}

func TestATierWriteWithoutTheSecretKeepsItOnlyForTheSameEndpoint(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)
	first, err := c.PutTier(ctx, "acme", "cold", s3Tier("first-secret"), nil)
	if err != nil {
		t.Fatal(err)
	}

	same, err := c.PutTier(ctx, "acme", "cold", s3Tier(""), nil)
	if err != nil || same.Metadata.ETag != first.Metadata.ETag {
		t.Errorf("read-modify-write without the secret: got %v, %v; want the tier unchanged",
			same, err)
	}
	rotated, err := c.PutTier(ctx, "acme", "cold", s3Tier("second-secret"), nil)
	if err != nil || rotated.Metadata.Generation != first.Metadata.Generation+1 {
		t.Errorf("a new secret: got %v, %v; want generation %d", rotated, err,
			first.Metadata.Generation+1)
	}

	moved := s3Tier("")
	moved.S3.Endpoint = "https://elsewhere.example.com"
	_, err = c.PutTier(ctx, "acme", "cold", moved, nil)
	checkViolation(t, err, http.StatusBadRequest, "spec.s3.secretAccessKey", "write-only")
	otherKey := s3Tier("")
	otherKey.S3.AccessKeyID = "AKIDOTHER"
	_, err = c.PutTier(ctx, "acme", "cold", otherKey, nil)
	checkViolation(t, err, http.StatusBadRequest, "spec.s3.secretAccessKey", "write-only")
}

func TestTierOnAnotherTenantsBucket(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)
	spec := model.TierSpec{StorageClass: "WARM",
		TenantBucket: &model.TierTenantBucket{Tenant: "beta", Bucket: "archive"}}
	tier, err := c.PutTier(ctx, "acme", "warm", spec, map[string]string{"team": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if tier.Spec.Tenant != "acme" || tier.Spec.TenantBucket.Tenant != "beta" ||
		tier.Status.Reachable {
		t.Errorf("got %+v, want a tier of acme on beta/archive, not reachable yet", tier)
	}
	tiers, err := c.ListTiers(ctx, "acme")
	if err != nil || len(tiers) != 1 {
		t.Errorf("list: got %v, %v; want one tier", tiers, err)
	}
}

func TestTierRefusals(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	if _, err := c.PutTier(context.Background(), "acme", "cold", s3Tier("s"), nil); err != nil {
		t.Fatal(err)
	}
	s3 := func(extra string) string {
		return `{"spec":{"storageClass":"ICE","s3":{"endpoint":"https://s3.example.com",` +
			`"bucket":"archive","accessKeyId":"AK","secretAccessKey":"SK"` + extra + `}}}`
	}
	tb := `"tenantBucket":{"tenant":"beta","bucket":"archive"}`
	tests := []struct {
		name, path, body string
		want             int
		field, words     string
	}{
		{"a tier without a target is invalid", "/v1/tenants/acme/tiers/t",
			`{"spec":{"storageClass":"ICE"}}`, 400, "spec", "a target is required"},
		{"a tier with two targets is invalid", "/v1/tenants/acme/tiers/t",
			strings.Replace(s3(""), `"s3"`, tb+`,"s3"`, 1), 400, "spec", "not both"},
		{"a lowercase storage class is invalid", "/v1/tenants/acme/tiers/t",
			`{"spec":{"storageClass":"cold",` + tb + `}}`, 400, "", ""},
		{"the STANDARD class is the tenant's own", "/v1/tenants/acme/tiers/t",
			`{"spec":{"storageClass":"STANDARD",` + tb + `}}`, 400, "spec.storageClass",
			"own drives"},
		{"a storage class of another tier cannot be taken", "/v1/tenants/acme/tiers/t",
			`{"spec":{"storageClass":"COLD",` + tb + `}}`, 422, "spec.storageClass",
			`tier "cold"`},
		{"an http endpoint is invalid", "/v1/tenants/acme/tiers/t",
			strings.Replace(s3(""), "https://", "http://", 1), 400, "spec.s3.endpoint",
			"only https"},
		{"an s3 tier needs its secret when created", "/v1/tenants/acme/tiers/t",
			strings.Replace(s3(""), `,"secretAccessKey":"SK"`, "", 1), 400,
			"spec.s3.secretAccessKey", "is required"},
		{"a CA bundle without a certificate is invalid", "/v1/tenants/acme/tiers/t",
			s3(`,"caBundle":"not a certificate"`), 400, "spec.s3.caBundle", "no PEM"},
		{"a prefix that starts with a slash is invalid", "/v1/tenants/acme/tiers/t",
			s3(`,"prefix":"/cold"`), 400, "spec.s3.prefix", "slash"},
		{"a tier on its own tenant is invalid", "/v1/tenants/acme/tiers/t",
			`{"spec":{"storageClass":"ICE","tenantBucket":{"tenant":"acme","bucket":"b"}}}`,
			400, "spec.tenantBucket.tenant", "another tenant"},
		{"a target bucket that breaks the S3 rules is invalid", "/v1/tenants/acme/tiers/t",
			`{"spec":{"storageClass":"ICE","tenantBucket":{"tenant":"beta","bucket":"B"}}}`,
			400, "spec.tenantBucket.bucket", "not a valid bucket name"},
		{"a tier of a missing tenant is not found", "/v1/tenants/nope/tiers/t",
			s3(""), 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, http.MethodPut, tt.path, tt.body, nil)
			checkErrorAnswer(t, resp, tt.want, tt.field, tt.words)
		})
	}
}

func TestDeletingATierAnswersItWithoutTheSecret(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	if _, err := c.PutTier(context.Background(), "acme", "cold", s3Tier("hush"), nil); err != nil {
		t.Fatal(err)
	}
	resp := do(t, ts, http.MethodDelete, "/v1/tenants/acme/tiers/cold", "", nil)
	var tier model.Tier
	if err := json.NewDecoder(resp.Body).Decode(&tier); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || tier.Metadata.DeleteTime == nil ||
		tier.Spec.S3.SecretAccessKey != "" {
		t.Errorf("got %d %+v, want 202 with deleteTime and no secret", resp.StatusCode, tier)
	}
}
