package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// BenchmarkGetBucket serves GET of one bucket over a bbolt store, without
// the network: the control plane's own cost of a Terraform read.
func BenchmarkGetBucket(b *testing.B) {
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	bucket := &model.Bucket{Metadata: model.Metadata{Name: "logs", UID: newUID(),
		Generation: 1}, Spec: model.BucketSpec{Tenant: "acme"}}
	ready := model.Condition{Type: model.ConditionReady, Status: model.StatusTrue,
		Reason: "Ready"}
	bucket.Status.Conditions = bucket.Status.Conditions.Set(ready, time.Now())
	if _, err := registry.Put(context.Background(), st, model.KindBucket, "acme/logs", bucket,
		store.MustNotExist); err != nil {
		b.Fatal(err)
	}
	s := New(Config{Store: st, Token: testToken, Notifier: &recorder{}})
	req := httptest.NewRequest(http.MethodGet, "/v1/tenants/acme/buckets/logs", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d %s, want 200", w.Code, w.Body)
		}
	}
}
