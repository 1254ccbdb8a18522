package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// TestTenantPoolShapes checks which pool shapes a new tenant may have.
func TestTenantPoolShapes(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	tests := []struct {
		name, tenant, body string
		want               int
		wantField          string
	}{
		{"a pool of two servers is accepted", "two",
			`{"spec":{"cluster":"local","pools":[{"name":"p","servers":2,"drivesPerServer":2}]}}`,
			http.StatusCreated, ""},
		{"a pool of four servers with parity 4 is accepted", "four",
			`{"spec":{"cluster":"local","parity":4,` +
				`"pools":[{"name":"p","servers":4,"drivesPerServer":2}]}}`,
			http.StatusCreated, ""},
		{"two pools are accepted", "pools",
			`{"spec":{"cluster":"local","pools":[{"name":"a","servers":2,"drivesPerServer":2},` +
				`{"name":"b","servers":1,"drivesPerServer":4}]}}`,
			http.StatusCreated, ""},
		{"two pools of one name are invalid", "twins",
			`{"spec":{"cluster":"local","pools":[{"name":"a","servers":2,"drivesPerServer":2},` +
				`{"name":"a","servers":2,"drivesPerServer":2}]}}`,
			http.StatusBadRequest, "spec.pools[1].name"},
		{"drives that cannot form equal sets are invalid", "prime",
			`{"spec":{"cluster":"local","parity":1,` +
				`"pools":[{"name":"p","servers":17,"drivesPerServer":1}]}}`,
			http.StatusBadRequest, "spec.pools[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, "PUT", "/v1/tenants/"+tt.tenant, tt.body, nil)
			checkResponseViolation(t, resp, tt.want, tt.wantField, "")
		})
	}
}

// TestTenantPoolChanges checks how the pools of a running tenant may
// change: added and removed, never reshaped, never all removed.
func TestTenantPoolChanges(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	const a = `{"name":"a","servers":2,"drivesPerServer":2}`
	const b = `{"name":"b","servers":1,"drivesPerServer":4}`
	const big = `{"name":"big","servers":1,"drivesPerServer":32}`
	spec := func(pools ...string) string {
		return `{"spec":{"cluster":"local","pools":[` + strings.Join(pools, ",") + `]}}`
	}
	withParity := func(body string) string {
		return strings.Replace(body, `"cluster":"local",`, `"cluster":"local","parity":2,`, 1)
	}
	tests := []struct {
		name, tenant, create, update string
		want                         int
		wantField, wantMsg           string
	}{
		{"a pool can be added", "grow", spec(a), spec(a, b), http.StatusOK, "", ""},
		{"a pool can be removed", "shrink", spec(a, b), spec(b), http.StatusOK, "", ""},
		{"a pool's servers cannot change", "servers", spec(a),
			spec(`{"name":"a","servers":4,"drivesPerServer":2}`), http.StatusUnprocessableEntity,
			"spec.pools[0].servers", "add a new pool and remove this one"},
		{"a pool's drives per server cannot change", "drives", spec(a, b),
			spec(a, `{"name":"b","servers":1,"drivesPerServer":6}`),
			http.StatusUnprocessableEntity, "spec.pools[1].drivesPerServer",
			"add a new pool and remove this one"},
		{"a pool's drive size cannot change", "size", spec(a),
			spec(`{"name":"a","servers":2,"drivesPerServer":2,"driveSize":"2Gi"}`),
			http.StatusUnprocessableEntity, "spec.pools[0].driveSize", "from \"1Gi\" to \"2Gi\""},
		{"a pool's media cannot change", "media", spec(a),
			spec(`{"name":"a","servers":2,"drivesPerServer":2,"media":"hdd"}`),
			http.StatusUnprocessableEntity, "spec.pools[0].media", "add a new pool"},
		{"removing every pool is invalid", "none", spec(a), spec(),
			http.StatusBadRequest, "spec.pools", "at least one pool"},
		{"a tenant of one server can take a second pool", "single", spec(b), spec(b, a),
			http.StatusOK, "", ""},
		{"a tenant of one server can replace its pool", "replace", spec(b), spec(a),
			http.StatusOK, "", ""},
		{"a tenant of one server of 32 drives cannot take a second pool", "big",
			withParity(spec(big)), withParity(spec(big, a)), http.StatusUnprocessableEntity,
			"spec.pools", "whose 32 drives form one erasure set, larger than the 16"},
		{"a tenant of one server of 32 drives cannot replace its pool", "bigger",
			withParity(spec(big)), withParity(spec(a)), http.StatusUnprocessableEntity,
			"spec.pools", "larger than the 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v1/tenants/" + tt.tenant
			if resp := do(t, ts, "PUT", path, tt.create, nil); resp.StatusCode != 201 {
				t.Fatalf("creating: got %d, want 201", resp.StatusCode)
			}
			resp := do(t, ts, "PUT", path, tt.update, nil)
			checkResponseViolation(t, resp, tt.want, tt.wantField, tt.wantMsg)
		})
	}
}

// TestDecommissioningPoolCannotReturn checks that a pool removed from the
// spec and still listed in status.pools cannot be added back, and that
// once it has left the status its name is free again.
func TestDecommissioningPoolCannotReturn(t *testing.T) {
	t.Parallel()
	ts, _, _, st := newTestServerWithStore(t)
	mustCluster(t, ts)
	two := `{"spec":{"cluster":"local","pools":[{"name":"a","servers":2,"drivesPerServer":2},` +
		`{"name":"b","servers":2,"drivesPerServer":2}]}}`
	one := `{"spec":{"cluster":"local","pools":[{"name":"a","servers":2,"drivesPerServer":2}]}}`
	if resp := do(t, ts, "PUT", "/v1/tenants/t", two, nil); resp.StatusCode != 201 {
		t.Fatalf("creating: got %d, want 201", resp.StatusCode)
	}
	if resp := do(t, ts, "PUT", "/v1/tenants/t", one, nil); resp.StatusCode != 200 {
		t.Fatalf("removing pool b: got %d, want 200", resp.StatusCode)
	}
	setPoolStatus(t, st, model.PoolStatus{Name: "a", ID: "x", State: model.PoolActive},
		model.PoolStatus{Name: "b", ID: "y", State: model.PoolDecommissioning})
	resp := do(t, ts, "PUT", "/v1/tenants/t", two, nil)
	checkResponseViolation(t, resp, http.StatusUnprocessableEntity, "spec.pools[1].name",
		"still being decommissioned")

	setPoolStatus(t, st, model.PoolStatus{Name: "a", ID: "x", State: model.PoolActive})
	if resp := do(t, ts, "PUT", "/v1/tenants/t", two, nil); resp.StatusCode != 200 {
		t.Errorf("adding b again once removed: got %d, want 200", resp.StatusCode)
	}
}

// mustCluster creates the local cluster through the API.
func mustCluster(t *testing.T, ts *httptest.Server) {
	t.Helper()
	if resp := do(t, ts, "PUT", "/v1/clusters/local", `{"spec":{"kind":"local"}}`,
		nil); resp.StatusCode != 201 {
		t.Fatalf("creating the cluster: got %d, want 201", resp.StatusCode)
	}
}

// setPoolStatus writes status.pools of tenant t as a reconciler would.
func setPoolStatus(t *testing.T, st store.Store, pools ...model.PoolStatus) {
	t.Helper()
	_, err := registry.Update[model.Tenant, model.TenantSpec](context.Background(), st,
		model.KindTenant, "t", func(tn *model.Tenant) error {
			tn.Status.Pools = pools
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
}

// checkResponseViolation checks a response's status and, when field is
// set, that its error names field with a description containing msg.
func checkResponseViolation(t *testing.T, resp *http.Response, want int, field, msg string) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("got %d, want %d", resp.StatusCode, want)
	}
	if field == "" {
		return
	}
	var eb model.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
		t.Fatal(err)
	}
	checkViolations(t, eb.Error.Violations, field, msg)
}

// hasViolation reports whether an error body names field.
func hasViolation(eb model.ErrorBody, field string) bool {
	for _, d := range eb.Error.Violations {
		if d.Field == field {
			return true
		}
	}
	return false
}
