package reconcile_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/internal/testcp"
)

// tenantQuota is storaged's answer about bucket logs' quota.
type tenantQuota struct {
	HardBytes   int64 `json:"hardBytes"`
	HardObjects int64 `json:"hardObjects"`
	UsedObjects int64 `json:"usedObjects"`
}

// TestObjectQuotaReachesTheTenantAndDriftIsRepaired declares a quota of
// objects, checks that storaged's admin endpoint holds it and that a write
// past it is refused, changes it behind the control plane's back (it is
// put back and reported), and updates the spec in place to both limits.
func TestObjectQuotaReachesTheTenantAndDriftIsRepaired(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	startTenant(t, c)
	spec := model.BucketSpec{Quota: &model.BucketQuota{MaxObjects: 2}}
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	b := waitBucket(t, c, readyAt(1))
	checkObserved(t, b, nil, nil, &model.BucketQuota{MaxObjects: 2})
	if got := quotaOnTenant(t, c, http.MethodGet, ""); got.HardObjects != 2 ||
		got.HardBytes != 0 {
		t.Fatalf("quota on the tenant: got %+v, want 2 objects and no byte limit", got)
	}
	s3c := tenantS3(t, c, "acme")
	for _, key := range []string{"a", "b"} {
		if code := putBytes(t, s3c, key, 10); code != 0 {
			t.Fatalf("write %s under the quota: got status %d, want success", key, code)
		}
	}
	if code := putBytes(t, s3c, "c", 10); code != http.StatusForbidden {
		t.Errorf("a third object: got status %d, want 403", code)
	}

	quotaOnTenant(t, c, http.MethodPut, `{"hardObjects": 50}`)
	waitBucket(t, c, func(b *model.Bucket) bool {
		d := b.Status.Conditions.Get("DriftRepaired")
		return d != nil && strings.Contains(d.Message, "quota")
	})
	if got := quotaOnTenant(t, c, http.MethodGet, ""); got.HardObjects != 2 {
		t.Errorf("quota after the repair: got %+v, want 2 objects again", got)
	}

	spec.Quota = &model.BucketQuota{MaxSize: "1Mi", MaxObjects: 3}
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	b = waitBucket(t, c, readyAt(2))
	checkObserved(t, b, nil, nil, spec.Quota)
	got := quotaOnTenant(t, c, http.MethodGet, "")
	if got != (tenantQuota{HardBytes: 1 << 20, HardObjects: 3, UsedObjects: 2}) {
		t.Errorf("quota after the update: got %+v, want 1Mi, 3 objects, 2 used", got)
	}
	if code := putBytes(t, s3c, "c", 10); code != 0 {
		t.Errorf("a third object under the raised quota: got status %d, want success", code)
	}
}

// quotaOnTenant sends a root-signed request to storaged's quota endpoint
// for bucket logs of tenant acme and returns its answer.
func quotaOnTenant(t *testing.T, c *client.Client, method, body string) tenantQuota {
	t.Helper()
	ctx := context.Background()
	tn, err := c.GetTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, method,
		tn.Status.Endpoint+"/strata/admin/quota?bucket=logs", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	region := tn.Spec.Region
	if region == "" {
		region = "us-east-1"
	}
	if err := provision.SignAdminRequest(ctx, req, []byte(body), *tn.Status.RootCredentials,
		region); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(tn.Status.CABundle))
	hc := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s quota: %v", method, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var q tenantQuota
	if resp.StatusCode != http.StatusOK || json.Unmarshal(answer, &q) != nil {
		t.Fatalf("%s quota: got %d %s, want 200 with the quota", method, resp.StatusCode,
			answer)
	}
	return q
}
