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

	"github.com/strata-storage/strata/internal/testcp"
)

// keyHCL is tenant "acme" with key "data"; extra goes inside the key's
// block.
func keyHCL(cp *testcp.ControlPlane, extra string) string {
	return tenantHCL(cp, "", "") + `
resource "strata_key" "data" {
  tenant = strata_tenant.acme.name
  name   = "data"
  ` + extra + `
}
`
}

// phrase matches words in order, whatever white space Terraform's output
// puts between them.
func phrase(words string) *regexp.Regexp {
	parts := strings.Fields(words)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(strings.Join(parts, `\s+`))
}

// TestAccKey creates, imports and rotates a key, re-creates it after a
// deletion behind Terraform's back, and checks that a vault key and a
// short rotation period are refused with the API's messages.
func TestAccKey(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	api := cp.Client(t)
	addr := "strata_key.data"
	monthly := keyHCL(cp, `rotation_period = "720h"`)
	rotated := keyHCL(cp, `rotation_period = "720h"
  rotation_generation = 1
  labels = { purpose = "backups" }`)
	var uid, lastRotation string

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config: monthly,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"),
						knownvalue.StringExact("acme/data")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("backend"),
						knownvalue.StringExact("builtin")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("versions"),
						knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_generation"),
						knownvalue.Int64Exact(0)),
				},
				Check: acc.ComposeTestCheckFunc(
					acc.TestCheckResourceAttrWith(addr, "uid", save(&uid)),
					acc.TestCheckResourceAttrWith(addr, "last_rotation", save(&lastRotation)),
				),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme/data",
				ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme/data",
				ImportStateKind: acc.ImportBlockWithID},
			{
				Config: rotated,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("versions"),
						knownvalue.Int64Exact(2)),
				},
				Check: acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
			},
			{
				PreConfig: func() {
					if err := api.DeleteKey(context.Background(), "acme", "data"); err != nil {
						t.Fatalf("deleting the key: %v", err)
					}
					waitNotFound(t, "key acme/data", func(ctx context.Context) error {
						_, err := api.GetKey(ctx, "acme", "data")
						return err
					})
				},
				Config: rotated,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("versions"),
						knownvalue.Int64Exact(1)),
				},
				Check: acc.TestCheckResourceAttrWith(addr, "uid", changed(&uid)),
			},
			{
				Config:      keyHCL(cp, `rotation_period = "30m"`),
				PlanOnly:    true,
				ExpectError: phrase(`"30m" is too short: use at least 1h`),
			},
			{
				Config: keyHCL(cp, `backend = "vault"
  vault = { mount = "transit", key_name = "acme-data" }`),
				ExpectError: phrase(`the vault backend is not available in this build`),
			},
		},
	})
}

func TestKeyConfigIsValidatedWithTheAPIRules(t *testing.T) {
	t.Parallel()
	vault := func(mount, keyName string) types.Object {
		return types.ObjectValueMust(vaultKeyType.AttrTypes, map[string]attr.Value{
			"mount": types.StringValue(mount), "key_name": types.StringValue(keyName)})
	}
	base := func() keyModel {
		return keyModel{Tenant: types.StringValue("acme"), Name: types.StringValue("data"),
			Backend: types.StringNull(), Vault: types.ObjectNull(vaultKeyType.AttrTypes),
			RotationPeriod: types.StringNull(), RotationGeneration: types.Int64Null()}
	}
	tests := []struct {
		name      string
		change    func(*keyModel)
		wantPaths []path.Path
	}{
		{"a plain key is valid", func(*keyModel) {}, nil},
		{"a vault block on a builtin key is refused on vault",
			func(m *keyModel) { m.Vault = vault("transit", "k") }, []path.Path{path.Root("vault")}},
		{"an empty mount is refused on the mount", func(m *keyModel) {
			m.Backend = types.StringValue("vault")
			m.Vault = vault("", "k")
		}, []path.Path{path.Root("vault").AtName("mount")}},
		{"a negative generation is refused", func(m *keyModel) {
			m.RotationGeneration = types.Int64Value(-1)
		}, []path.Path{path.Root("rotation_generation")}},
		{"an unknown period is left for later", func(m *keyModel) {
			m.RotationPeriod = types.StringUnknown()
		}, nil},
		{"an unknown vault block is left for later", func(m *keyModel) {
			m.Vault = types.ObjectUnknown(vaultKeyType.AttrTypes)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := base()
			tt.change(&m)
			checkPaths(t, validateKey(context.Background(), m), tt.wantPaths)
		})
	}
}
