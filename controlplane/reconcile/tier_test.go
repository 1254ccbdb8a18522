package reconcile

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// newS3Double starts an HTTPS double of an S3 service that knows one
// bucket, "archive", and answers HeadBucket (HEAD /bucket, path style): 200
// to a request signed with access key AKID, 403 to another key, and 404
// for any other bucket. It returns the endpoint and the PEM of its CA.
func newS3Double(t *testing.T) (string, string) {
	t.Helper()
	double := func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method != http.MethodHead || r.URL.Path != "/archive":
			w.WriteHeader(http.StatusNotFound)
		case !strings.Contains(r.Header.Get("Authorization"), "Credential=AKID/"):
			w.WriteHeader(http.StatusForbidden)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(double))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	ts.StartTLS()
	t.Cleanup(ts.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	return ts.URL, string(ca)
}

func newTierController(t *testing.T) (*Controller, store.Store) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(Config{Store: st}), st
}

func putTier(t *testing.T, st store.Store, spec model.TierSpec) string {
	t.Helper()
	spec.Tenant = "acme"
	spec.Default()
	tier := &model.Tier{Metadata: model.Metadata{Name: "cold", UID: "u", Generation: 1},
		Spec: spec}
	key := registry.ChildKey("acme", "cold")
	if _, err := registry.Put(context.Background(), st, model.KindTier, key, tier,
		store.AnyRevision); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestTierReachability(t *testing.T) {
	t.Parallel()
	endpoint, ca := newS3Double(t)
	s3Target := func(bucket, accessKey, caBundle string) model.TierSpec {
		return model.TierSpec{StorageClass: "COLD", S3: &model.TierS3{Endpoint: endpoint,
			Bucket: bucket, AccessKeyID: accessKey, SecretAccessKey: "secret",
			CABundle: caBundle}}
	}
	tests := []struct {
		name       string
		spec       model.TierSpec
		wantReady  bool
		wantReason string
		wantWords  string
	}{
		{"a bucket that answers makes the tier ready", s3Target("archive", "AKID", ca),
			true, "Reachable", `bucket "archive" at https://`},
		{"a missing bucket is named in the condition", s3Target("missing", "AKID", ca),
			false, "Unreachable", "404 NotFound: the bucket does not exist"},
		{"refused credentials are named in the condition", s3Target("archive", "OTHER", ca),
			false, "Unreachable", "403 Forbidden"},
		{"an endpoint whose CA is not trusted is unreachable", s3Target("archive", "AKID", ""),
			false, "Unreachable", "certificate"},
		{"a tier on a missing tenant waits for it", model.TierSpec{StorageClass: "COLD",
			TenantBucket: &model.TierTenantBucket{Tenant: "beta", Bucket: "archive"}},
			false, "TargetTenantMissing", `tenant "beta" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, st := newTierController(t)
			key := putTier(t, st, tt.spec)
			requeue, err := c.reconcileTier(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			tier, _, err := registry.Get[model.Tier, model.TierSpec](context.Background(), st,
				model.KindTier, key)
			if err != nil {
				t.Fatal(err)
			}
			ready := tier.Status.Conditions.Get(model.ConditionReady)
			if ready == nil || (ready.Status == model.StatusTrue) != tt.wantReady ||
				ready.Reason != tt.wantReason || !strings.Contains(ready.Message, tt.wantWords) {
				t.Fatalf("got Ready %+v, want ready=%v, reason %s, a message with %q", ready,
					tt.wantReady, tt.wantReason, tt.wantWords)
			}
			if tier.Status.Reachable != tt.wantReady || tier.Status.LastChecked.IsZero() {
				t.Errorf("got reachable %v, lastChecked %s; want %v and a time",
					tier.Status.Reachable, tier.Status.LastChecked, tt.wantReady)
			}
			wantRequeue := tierRecheck
			if tt.wantReady {
				wantRequeue = 0
			}
			if requeue != wantRequeue {
				t.Errorf("got requeue %s, want %s", requeue, wantRequeue)
			}
		})
	}
}

func TestASteadyTierKeepsItsETag(t *testing.T) {
	t.Parallel()
	endpoint, ca := newS3Double(t)
	c, st := newTierController(t)
	ctx := context.Background()
	key := putTier(t, st, model.TierSpec{StorageClass: "COLD", S3: &model.TierS3{
		Endpoint: endpoint, Bucket: "archive", AccessKeyID: "AKID", SecretAccessKey: "s",
		CABundle: ca}})
	var revs []int64
	for range 2 {
		if _, err := c.reconcileTier(ctx, key); err != nil {
			t.Fatal(err)
		}
		rec, err := st.Get(ctx, model.KindTier, key)
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, rec.Revision)
	}
	if revs[0] != revs[1] {
		t.Errorf("got revisions %v, want the second check to write nothing", revs)
	}
}
