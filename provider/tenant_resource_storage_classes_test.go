package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testcp"
)

// withRRSParity is m with storage_classes.reduced_redundancy.parity set.
func withRRSParity(m tenantModel, parity types.Int64) tenantModel {
	rr := types.ObjectValueMust(classCodingType.AttrTypes, map[string]attr.Value{"parity": parity})
	m.StorageClasses = types.ObjectValueMust(storageClassesType.AttrTypes,
		map[string]attr.Value{"reduced_redundancy": rr})
	return m
}

func TestValidateTenantStorageClasses(t *testing.T) {
	t.Parallel()
	parityPath := path.Root("storage_classes").AtName("reduced_redundancy").AtName("parity")
	tests := []struct {
		name      string
		m         tenantModel
		wantPaths []path.Path
	}{
		{"parity 1 under the default 2 is valid",
			withRRSParity(tenantConfig(pool4("p0")), types.Int64Value(1)), nil},
		{"the tenant's own parity is valid",
			withRRSParity(tenantConfig(pool4("p0")), types.Int64Value(2)), nil},
		{"more than the tenant's parity is refused on the attribute",
			withRRSParity(tenantConfig(pool4("p0")), types.Int64Value(3)),
			[]path.Path{parityPath}},
		{"zero is refused on the attribute",
			withRRSParity(tenantConfig(pool4("p0")), types.Int64Value(0)),
			[]path.Path{parityPath}},
		{"an unknown parity is left for the plan",
			withRRSParity(tenantConfig(pool4("p0")), types.Int64Unknown()), nil},
		{"nothing is judged while the tenant's parity is unknown", func() tenantModel {
			m := withRRSParity(tenantConfig(pool4("p0")), types.Int64Value(3))
			m.Parity = types.Int64Unknown()
			return m
		}(), nil},
		{"unknown storage classes are left for the plan", func() tenantModel {
			m := tenantConfig(pool4("p0"))
			m.StorageClasses = types.ObjectUnknown(storageClassesType.AttrTypes)
			return m
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			diags := validateTenant(context.Background(), tt.m)
			checkPaths(t, diags, tt.wantPaths)
			if len(diags) > 0 && !strings.Contains(diags[0].Detail(), "tenant's parity") {
				t.Errorf("got detail %q, want the model's message", diags[0].Detail())
			}
		})
	}
}

func TestStorageClassesRoundTripTheAPI(t *testing.T) {
	t.Parallel()
	for _, sc := range []*model.TenantStorageClasses{
		nil, {}, {ReducedRedundancy: &model.StorageClassCoding{Parity: 1}},
	} {
		obj, diags := storageClassesFromAPI(sc)
		if diags.HasError() {
			t.Fatal(diags)
		}
		u := unknownFields{prefixes: map[string]bool{}}
		got := storageClassesFromConfig(obj, &u)
		switch {
		case sc == nil && got != nil, sc != nil && got == nil,
			sc != nil && (sc.ReducedRedundancy == nil) != (got.ReducedRedundancy == nil),
			sc != nil && sc.ReducedRedundancy != nil &&
				*sc.ReducedRedundancy != *got.ReducedRedundancy:
			t.Errorf("got %+v back from %+v", got, sc)
		}
	}
}

// TestAccTenantStorageClasses sets, changes and removes the parity of
// REDUCED_REDUNDANCY on a running tenant: each change is an update in
// place, and the plan after it is empty.
func TestAccTenantStorageClasses(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	addr := "strata_tenant.acme"
	var uid string
	update := acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
	}}
	rrs := func(p string) string {
		return `storage_classes = { reduced_redundancy = { parity = ` + p + ` } }`
	}
	parityIs := func(p int64) []statecheck.StateCheck {
		return []statecheck.StateCheck{statecheck.ExpectKnownValue(addr,
			tfjsonpath.New("storage_classes").AtMapKey("reduced_redundancy").
				AtMapKey("parity"), knownvalue.Int64Exact(p))}
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config:            tenantHCL(cp, "", rrs("1")),
				ConfigStateChecks: parityIs(1),
				Check:             acc.TestCheckResourceAttrWith(addr, "uid", save(&uid)),
			},
			{Config: tenantHCL(cp, "", rrs("1")), PlanOnly: true},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				Config:      tenantHCL(cp, "", rrs("3")),
				ExpectError: regexp.MustCompile(`use\s+1\s+to\s+the\s+tenant's\s+parity\s+2`),
			},
			{
				Config:            tenantHCL(cp, "", rrs("2")),
				ConfigPlanChecks:  update,
				ConfigStateChecks: parityIs(2),
				Check:             acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
			},
			{Config: tenantHCL(cp, "", rrs("2")), PlanOnly: true},
			{
				Config:           tenantHCL(cp, "", ""),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(addr,
					tfjsonpath.New("storage_classes"), knownvalue.Null())},
				Check: acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
			},
			{Config: tenantHCL(cp, "", ""), PlanOnly: true},
		},
	})
}
