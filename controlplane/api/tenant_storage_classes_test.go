package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
)

func TestTenantStorageClassParityIsCheckedAgainstTheTenants(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	const field = "spec.storageClasses.reducedRedundancy.parity"
	tests := []struct {
		name, tenant, spec string
		want               int
		wantField          string
	}{
		{"parity 1 under the tenant's 2 is accepted", "rrs1",
			`"storageClasses":{"reducedRedundancy":{"parity":1}}`, http.StatusCreated, ""},
		{"the tenant's own parity is accepted", "rrs2",
			`"storageClasses":{"reducedRedundancy":{"parity":2}}`, http.StatusCreated, ""},
		{"more than the tenant's parity is refused", "rrs3",
			`"storageClasses":{"reducedRedundancy":{"parity":3}}`, http.StatusBadRequest, field},
		{"more than an explicit parity is refused", "rrs4",
			`"parity":1,"storageClasses":{"reducedRedundancy":{"parity":2}}`,
			http.StatusBadRequest, field},
		{"no storage classes are accepted", "rrs5", `"storageClasses":{}`,
			http.StatusCreated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"spec":{"cluster":"local",` +
				`"pools":[{"name":"p","servers":1,"drivesPerServer":4}],` + tt.spec + `}}`
			resp := do(t, ts, "PUT", "/v1/tenants/"+tt.tenant, body, nil)
			defer resp.Body.Close()
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
				t.Fatalf("got %+v, want a violation of %s", eb.Error, tt.wantField)
			}
		})
	}
}

func TestTenantStorageClassParityChangesInPlace(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	mustTenant(t, c)
	ctx := context.Background()
	spec := func(p int) model.TenantSpec {
		s := model.TenantSpec{Cluster: "local", Pools: []model.Pool{{Name: "p", Servers: 1,
			DrivesPerServer: 4}}}
		if p > 0 {
			s.StorageClasses = &model.TenantStorageClasses{
				ReducedRedundancy: &model.StorageClassCoding{Parity: p}}
		}
		return s
	}
	for _, p := range []int{1, 2, 0, 1} {
		t.Run(fmt.Sprintf("to parity %d", p), func(t *testing.T) {
			got, err := c.PutTenant(ctx, "rrs", spec(p), nil)
			if err != nil {
				t.Fatalf("PutTenant: %v", err)
			}
			if g := got.Spec.ReducedRedundancyParity(); g != p {
				t.Errorf("got reduced redundancy parity %d, want %d", g, p)
			}
		})
	}
}
