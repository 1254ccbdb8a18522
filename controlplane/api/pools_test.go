package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
)

// TestTenantPoolShapes checks which pool shapes a tenant may have: any
// number of servers in one pool, but not several pools yet.
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
		{"two pools are refused until pools can be added", "pools",
			`{"spec":{"cluster":"local","pools":[{"name":"a","servers":2,"drivesPerServer":2},` +
				`{"name":"b","servers":2,"drivesPerServer":2}]}}`,
			http.StatusUnprocessableEntity, "spec.pools"},
		{"drives that cannot form equal sets are invalid", "prime",
			`{"spec":{"cluster":"local","parity":1,` +
				`"pools":[{"name":"p","servers":17,"drivesPerServer":1}]}}`,
			http.StatusBadRequest, "spec.pools[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, "PUT", "/v1/tenants/"+tt.tenant, tt.body, nil)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.wantField == "" {
				return
			}
			var eb model.ErrorBody
			if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
				t.Fatal(err)
			}
			if !hasViolation(eb, tt.wantField) {
				t.Errorf("got %+v, want a violation of %s", eb.Error, tt.wantField)
			}
		})
	}
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
