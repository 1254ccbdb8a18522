package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/store"
)

const testToken = "test-token"

type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) Notify(kind, name string) {
	r.mu.Lock()
	r.calls = append(r.calls, kind+"/"+name)
	r.mu.Unlock()
}

func newTestServer(t *testing.T) (*httptest.Server, *client.Client, *recorder) {
	t.Helper()
	ts, c, rec, _ := newTestServerWithStore(t)
	return ts, c, rec
}

// newTestServerWithStore is newTestServer that also returns the store, for
// tests that check what is kept beside what is answered.
func newTestServerWithStore(t *testing.T) (*httptest.Server, *client.Client, *recorder,
	store.Store) {
	t.Helper()
	return newTestServerWithConfig(t, Config{})
}

// newTestServerWithSecrets is newTestServer whose tenants' secret
// references are read by secrets.
func newTestServerWithSecrets(t *testing.T, secrets model.SecretReader) (*httptest.Server,
	*client.Client) {
	t.Helper()
	ts, c, _, _ := newTestServerWithConfig(t, Config{Secrets: secrets})
	return ts, c
}

// newTestServerWithConfig serves cfg over a new store, with the test token
// and a recorder as the notifier.
func newTestServerWithConfig(t *testing.T, cfg Config) (*httptest.Server, *client.Client,
	*recorder, store.Store) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rec := &recorder{}
	// Every exchange of every test is held against openapi.json.
	cfg.Store, cfg.Token, cfg.Notifier = st, testToken, rec
	h := newContract(t, t.Errorf).wrap(New(cfg))
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	c, err := client.New(client.Config{Endpoint: ts.URL, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	return ts, c, rec, st
}

var onePool = []model.Pool{{Name: "pool-0", Servers: 1, DrivesPerServer: 4}}

func mustTenant(t *testing.T, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.PutCluster(ctx, "local", model.ClusterSpec{Kind: "local"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTenant(ctx, "acme",
		model.TenantSpec{Cluster: "local", Pools: onePool}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestPutIsIdempotentAndBumpsGenerationOnlyOnChange(t *testing.T) {
	t.Parallel()
	_, c, rec := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)

	first, err := c.GetTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.PutTenant(ctx, "acme", model.TenantSpec{Cluster: "local", Pools: onePool}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Metadata.Generation != 1 || again.Metadata.ETag != first.Metadata.ETag {
		t.Errorf("same PUT: got generation %d etag %s, want 1 and %s",
			again.Metadata.Generation, again.Metadata.ETag, first.Metadata.ETag)
	}
	labelled, err := c.PutTenant(ctx, "acme", model.TenantSpec{Cluster: "local", Pools: onePool},
		map[string]string{"team": "storage"})
	if err != nil {
		t.Fatal(err)
	}
	if labelled.Metadata.Generation != 2 || labelled.Metadata.UID != first.Metadata.UID {
		t.Errorf("label change: got generation %d uid %s, want 2 and %s",
			labelled.Metadata.Generation, labelled.Metadata.UID, first.Metadata.UID)
	}
	if got := labelled.Spec; got.Region != "us-east-1" || got.Parity != 2 ||
		got.Pools[0].DriveSize != "1Gi" || got.Pools[0].Media != "ssd" {
		t.Errorf("defaults: got %+v, want region us-east-1, parity 2, 1Gi, ssd", got)
	}
	if len(rec.calls) != 3 { // cluster, tenant create, tenant label change
		t.Errorf("notifications: got %v, want 3", rec.calls)
	}
}

func TestPutAnswersCreatedThenOK(t *testing.T) {
	t.Parallel()
	ts, _, _ := newTestServer(t)
	body := `{"spec":{"kind":"local"}}`
	for i, want := range []int{http.StatusCreated, http.StatusOK} {
		resp := do(t, ts, http.MethodPut, "/v1/clusters/local", body, nil)
		if resp.StatusCode != want || resp.Header.Get("ETag") == "" {
			t.Errorf("PUT %d: got %d etag %q, want %d with an ETag", i, resp.StatusCode,
				resp.Header.Get("ETag"), want)
		}
	}
}

func TestInvalidSpecListsEveryViolation(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := context.Background()
	_, err := c.PutTenant(ctx, "Bad_Name", model.TenantSpec{
		Pools: []model.Pool{{Name: "p", Servers: 0, DrivesPerServer: 100, DriveSize: "ten",
			Media: "tape"}},
	}, nil)
	var ae *client.APIError
	if !asAPIError(err, &ae) || ae.StatusCode != 400 {
		t.Fatalf("got %v, want a 400 API error", err)
	}
	want := []string{"metadata.name", "spec.cluster", "spec.pools[0].servers",
		"spec.pools[0].drivesPerServer", "spec.pools[0].driveSize", "spec.pools[0].media"}
	got := map[string]bool{}
	for _, v := range ae.Violations {
		got[v.Field] = true
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("violations %v lack %s", ae.Violations, f)
		}
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		want                     int
	}{
		{
			"no token is unauthenticated",
			"GET",
			"/v1/clusters",
			"",
			map[string]string{"Authorization": ""},
			401,
		},
		{
			"a wrong token is unauthenticated",
			"GET",
			"/v1/clusters",
			"",
			map[string]string{"Authorization": "Bearer nope"},
			401,
		},
		{"a missing cluster is not found", "GET", "/v1/clusters/none", "", nil, 404},
		{
			"an unknown field is invalid",
			"PUT",
			"/v1/clusters/x",
			`{"spec":{"kind":"local","size":1}}`,
			nil,
			400,
		},
		{
			"a kubernetes cluster cannot run yet",
			"PUT",
			"/v1/clusters/k",
			`{"spec":{"kind":"kubernetes"}}`,
			nil,
			422,
		},
		{"a tenant on a missing cluster cannot be made", "PUT", "/v1/tenants/t2",
			`{"spec":{"cluster":"nope","pools":[{"name":"p","servers":1,"drivesPerServer":4}]}}`,
			nil, 422},
		{"parity cannot change", "PUT", "/v1/tenants/acme",
			`{"spec":{"cluster":"local","parity":1,` +
				`"pools":[{"name":"pool-0","servers":1,"drivesPerServer":4}]}}`, nil, 422},
		{"parity over half the drives is invalid", "PUT", "/v1/tenants/t3",
			`{"spec":{"cluster":"local","parity":3,` +
				`"pools":[{"name":"p","servers":1,"drivesPerServer":4}]}}`, nil, 400},
		{
			"a cluster kind cannot change",
			"PUT",
			"/v1/clusters/local",
			`{"spec":{"kind":"eks"}}`,
			nil,
			422,
		},
		{
			"a reserved bucket name is invalid",
			"PUT",
			"/v1/tenants/acme/buckets/strata",
			`{"spec":{}}`,
			nil,
			400,
		},
		{
			"a bucket of a missing tenant is not found",
			"PUT",
			"/v1/tenants/nope/buckets/logs",
			`{"spec":{}}`,
			nil,
			404,
		},
		{
			"a stale If-Match fails",
			"PUT",
			"/v1/clusters/local",
			`{"spec":{"kind":"local"}}`,
			map[string]string{"If-Match": `"999"`},
			412,
		},
		{"a cluster with tenants is not deleted", "DELETE", "/v1/clusters/local", "", nil, 409},
		{"a bad page size is invalid", "GET", "/v1/tenants?pageSize=0", "", nil, 400},
		{"an unknown path is not found", "GET", "/v2/things", "", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, tt.method, tt.path, tt.body, tt.header)
			var eb model.ErrorBody
			_ = json.NewDecoder(resp.Body).Decode(&eb)
			if resp.StatusCode != tt.want || eb.Error.Message == "" || eb.Error.Code != tt.want {
				t.Errorf("got %d %+v, want %d with a message", resp.StatusCode, eb.Error, tt.want)
			}
		})
	}
}

func TestDeleteTenantWithBucketsNeedsForce(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)
	if _, err := c.PutBucket(ctx, "acme", "logs", model.BucketSpec{}, nil); err != nil {
		t.Fatal(err)
	}
	err := c.DeleteTenant(ctx, "acme", client.DeleteOptions{})
	if client.StatusCode(err) != http.StatusConflict || !strings.Contains(err.Error(), "logs") {
		t.Fatalf("delete without force: got %v, want 409 naming the bucket", err)
	}
	resp := do(t, ts, http.MethodDelete, "/v1/tenants/acme?force=true", "", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("delete with force: got %d, want 202", resp.StatusCode)
	}
	got, err := c.GetTenant(ctx, "acme")
	if err != nil || got.Metadata.DeleteTime == nil {
		t.Fatalf("after delete: got %v, %v; want the tenant marked for deletion", got, err)
	}
	_, err = c.PutBucket(ctx, "acme", "more", model.BucketSpec{}, nil)
	if client.StatusCode(err) != http.StatusConflict {
		t.Errorf("bucket in a deleting tenant: got %v, want 409", err)
	}
}

func TestBucketSpecNamesItsTenant(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)
	b, err := c.PutBucket(ctx, "acme", "logs", model.BucketSpec{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Spec.Tenant != "acme" || b.Metadata.Name != "logs" {
		t.Errorf("got tenant %q name %q, want acme and logs", b.Spec.Tenant, b.Metadata.Name)
	}
	_, err = c.PutBucket(ctx, "acme", "logs", model.BucketSpec{Tenant: "other"}, nil)
	if client.StatusCode(err) != http.StatusBadRequest {
		t.Errorf("mismatched tenant: got %v, want 400", err)
	}
}

func TestListPagesThroughEveryItem(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)
	for i := range 7 {
		if _, err := c.PutBucket(ctx, "acme", fmt.Sprintf("b-%02d", i),
			model.BucketSpec{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	token := ""
	for pages := 0; pages < 10; pages++ {
		resp := do(
			t,
			ts,
			http.MethodGet,
			"/v1/tenants/acme/buckets?pageSize=3&pageToken="+token,
			"",
			nil,
		)
		var page model.List[model.Bucket]
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Items {
			names = append(names, b.Metadata.Name)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	want := "b-00 b-01 b-02 b-03 b-04 b-05 b-06"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	all, err := c.ListBuckets(ctx, "acme")
	if err != nil || len(all) != 7 {
		t.Errorf("client list: got %d, %v; want 7", len(all), err)
	}
}

func TestConcurrentPutsWithOneETagLetOneWin(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	cur, err := c.GetTenant(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() {
			body := fmt.Sprintf(`{"metadata":{"labels":{"n":"%d"}},"spec":{"cluster":"local",`+
				`"pools":[{"name":"pool-0","servers":1,"drivesPerServer":4}]}}`, i)
			resp := do(t, ts, http.MethodPut, "/v1/tenants/acme", body,
				map[string]string{"If-Match": cur.Metadata.ETag})
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	won := 0
	for _, code := range codes {
		switch code {
		case http.StatusOK:
			won++
		case http.StatusPreconditionFailed, http.StatusConflict:
		default:
			t.Errorf("got status %d, want 200, 409 or 412", code)
		}
	}
	if won != 1 {
		t.Errorf("got %d winners among %v, want exactly 1", won, codes)
	}
}

func do(t *testing.T, ts *httptest.Server, method, path, body string,
	header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func asAPIError(err error, target **client.APIError) bool {
	return errors.As(err, target)
}

func TestBodyProblemsAreNamedInTheAPIsWords(t *testing.T) {
	t.Parallel()
	ts, _, _ := newTestServer(t)
	tests := []struct {
		name, body, want string
	}{
		{
			"a wrong type names the field",
			`{"spec":{"kind":5}}`,
			"field spec.kind must be a JSON string",
		},
		{"an array is not an object", `[]`, "must be a JSON object"},
		{"broken JSON names the byte", `{"spec":`, "empty or ends early"},
		{"a body over the limit is refused, not cut", `{"spec":{"kind":"local"}}` +
			strings.Repeat(" ", maxBodyBytes) + `x`, "larger than"},
		{"a second value is refused", `{"spec":{"kind":"local"}} {}`, "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, http.MethodPut, "/v1/clusters/c1", tt.body, nil)
			var eb model.ErrorBody
			_ = json.NewDecoder(resp.Body).Decode(&eb)
			if resp.StatusCode != 400 || !strings.Contains(eb.Error.Message, tt.want) ||
				strings.Contains(eb.Error.Message, "Go ") ||
				strings.Contains(eb.Error.Message, "model.") {
				t.Errorf("got %d %q, want 400 saying %q without Go names", resp.StatusCode,
					eb.Error.Message, tt.want)
			}
		})
	}
}

func TestForceMustBeABoolean(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	resp := do(t, ts, http.MethodDelete, "/v1/tenants/acme?force=yes", "", nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("force=yes: got %d, want 400", resp.StatusCode)
	}
}

func TestAWrongMethodOnAKnownPathIsNotAllowed(t *testing.T) {
	t.Parallel()
	ts, _, _ := newTestServer(t)
	tests := []struct {
		name, method, path string
		want               int
		allow              string
	}{
		{"PATCH on an item lists its methods", "PATCH", "/v1/clusters/c1", 405, "DELETE, GET, PUT"},
		{"POST on a collection lists GET", "POST", "/v1/tenants/t/buckets", 405, "GET"},
		{"an unknown path is still not found", "PATCH", "/v1/nothing/here", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, tt.method, tt.path, "", nil)
			if resp.StatusCode != tt.want || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("got %d Allow %q, want %d Allow %q", resp.StatusCode,
					resp.Header.Get("Allow"), tt.want, tt.allow)
			}
		})
	}
}
