package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/testcp"
)

// accessKeyHCL is tenant "acme" with bucket "logs" and access key "ci",
// which may read that bucket's objects; extra goes inside the key's block.
func accessKeyHCL(cp *testcp.ControlPlane, extra string) string {
	return tenantHCL(cp, "", "") + `
resource "strata_bucket" "logs" {
  tenant        = strata_tenant.acme.name
  name          = "logs"
  force_destroy = true
}

resource "strata_access_key" "ci" {
  tenant = strata_tenant.acme.name
  name   = "ci"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::logs/*"]
    }]
  })
  timeouts = { create = "2m", update = "2m", delete = "2m" }
  ` + extra + `
}
`
}

// TestAccAccessKey creates an access key, imports it without its secret,
// changes its description with the secret kept, rotates its secret with
// secret_version, refuses a lower secret_version at plan time, and
// destroys it.
func TestAccAccessKey(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	api := cp.Client(t)
	addr := "strata_access_key.ci"
	var keyID, secret string
	pairOf := func(id, secret func(string) error) acc.TestCheckFunc {
		return acc.ComposeAggregateTestCheckFunc(
			acc.TestCheckResourceAttrWith(addr, "access_key_id", id),
			acc.TestCheckResourceAttrWith(addr, "secret_access_key", secret))
	}

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		CheckDestroy: func(*terraform.State) error {
			_, err := api.GetAccessKey(context.Background(), "acme", "ci")
			if !client.IsNotFound(err) {
				return fmt.Errorf("access key acme/ci after destroy: got %v, want 404", err)
			}
			return nil
		},
		Steps: []acc.TestStep{
			{
				Config: accessKeyHCL(cp, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access_key_id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^[A-Z0-9]{20}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_access_key"),
						knownvalue.StringRegexp(regexp.MustCompile(`^.{40}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotated_at"),
						knownvalue.Null()),
				},
				Check: acc.ComposeAggregateTestCheckFunc(pairOf(save(&keyID), save(&secret)),
					readsButCannotWrite(api, addr)),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme/ci",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_access_key", "timeouts"}},
			{
				Config: accessKeyHCL(cp, `description = "CI reads logs"`),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: pairOf(sameAs(&keyID), sameAs(&secret)),
			},
			{
				Config: accessKeyHCL(cp, `description = "CI reads logs"
  secret_version = 1`),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("secret_access_key")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotated_at"),
						knownvalue.StringRegexp(nonEmpty())),
				},
				Check: acc.ComposeAggregateTestCheckFunc(
					oldSecretRefused(api, &keyID, &secret),
					pairOf(sameAs(&keyID), changed(&secret)),
					readsButCannotWrite(api, addr)),
			},
			{
				Config: accessKeyHCL(cp, `description = "CI reads logs"
  secret_version = 0`),
				ExpectError: phrase("secret_version cannot go down from 1 to 0"),
			},
		},
	})
}

func TestAccessKeyConfigIsValidatedWithTheAPIRules(t *testing.T) {
	t.Parallel()
	base := func() accessKeyModel {
		return accessKeyModel{Tenant: types.StringValue("acme"), Name: types.StringValue("ci"),
			Description: types.StringNull(), Policy: jsonDocument(`{"Version":"2012-10-17"}`),
			SecretVersion: types.Int64Value(0)}
	}
	long := strings.Repeat("d", 257)
	tests := []struct {
		name      string
		change    func(*accessKeyModel)
		wantPaths []path.Path
	}{
		{"a plain key is valid", func(*accessKeyModel) {}, nil},
		{"a negative secret version is refused on it", func(m *accessKeyModel) {
			m.SecretVersion = types.Int64Value(-1)
		}, []path.Path{path.Root("secret_version")}},
		{"a long description is refused on it", func(m *accessKeyModel) {
			m.Description = types.StringValue(long)
		}, []path.Path{path.Root("description")}},
		{"an unknown tenant is left for later", func(m *accessKeyModel) {
			m.Tenant = types.StringUnknown()
		}, nil},
		{"an unknown secret version is left for later", func(m *accessKeyModel) {
			m.SecretVersion = types.Int64Unknown()
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := base()
			tt.change(&m)
			checkPaths(t, validateAccessKey(m), tt.wantPaths)
		})
	}
}

func TestIdentityPolicyRuleMirrorsTheModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		wantErr   bool
	}{
		{"a JSON object is accepted", `{"Version":"2012-10-17","Statement":[]}`, false},
		{"an empty document is refused", ``, true},
		{"a JSON array is refused", `[]`, true},
		{"text is refused", `allow all`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := len(identityPolicyRule().check(tt.doc)) > 0
			if got != tt.wantErr {
				t.Errorf("%q: got refused %v, want %v", tt.doc, got, tt.wantErr)
			}
		})
	}
}

func TestJSONDocumentsDifferOnlyInValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b string
		want       bool
		wantErr    bool // the document is no JSON: the type refuses it before any plan
	}{
		{"white space is no difference", `{"a":[1,2]}`, "{ \"a\": [1, 2] }\n", true, false},
		{"key order is no difference", `{"a":1,"b":2}`, `{"b":2,"a":1}`, true, false},
		{"a value is a difference", `{"a":1}`, `{"a":2}`, false, false},
		{"text that is not JSON is an error", `not json`, `not  json`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, diags := jsonDocument(tt.a).StringSemanticEquals(context.Background(),
				jsonDocument(tt.b))
			if diags.HasError() != tt.wantErr || got != tt.want {
				t.Errorf("got %v (%v), want %v", got, diags, tt.want)
			}
		})
	}
}
