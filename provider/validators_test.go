package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestModelRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rule    modelRule
		value   types.String
		wantErr string // empty: valid
	}{
		{"a lowercase name is valid", nameRule(), types.StringValue("acme-2"), ""},
		{"a name with capitals is refused", nameRule(), types.StringValue("Acme"),
			"is not a valid name"},
		{"a name ending in a hyphen is refused", nameRule(), types.StringValue("acme-"),
			"is not a valid name"},
		{"a name of 64 letters is refused", nameRule(),
			types.StringValue(strings.Repeat("a", 64)), "is not a valid name"},
		{"an unknown name is left for later", nameRule(), types.StringUnknown(), ""},
		{"a null name is left to Required", nameRule(), types.StringNull(), ""},
		{"a bucket name with dots is valid", bucketNameRule(),
			types.StringValue("logs.2024"), ""},
		{"a bucket name of two letters is refused", bucketNameRule(),
			types.StringValue("ab"), "not a valid bucket name"},
		{"a bucket name like an IP address is refused", bucketNameRule(),
			types.StringValue("10.0.0.1"), "IP address"},
		{"two dots in a row are refused", bucketNameRule(),
			types.StringValue("a..b"), "two dots"},
		{"the reserved bucket name is refused", bucketNameRule(),
			types.StringValue("strata"), "reserved"},
		{"every cluster kind the API knows is valid", clusterKindRule(),
			types.StringValue("eks"), ""},
		{"an unknown cluster kind is refused", clusterKindRule(),
			types.StringValue("nomad"), "not a cluster kind"},
		{"an empty cluster kind is refused", clusterKindRule(),
			types.StringValue(""), "is required"},
		{"a bucket's tenant must be a valid name", bucketTenantRule(),
			types.StringValue("ACME"), "is not a valid name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := validator.StringRequest{Path: path.Root("x"), ConfigValue: tt.value}
			var resp validator.StringResponse
			tt.rule.ValidateString(context.Background(), req, &resp)

			if tt.wantErr == "" {
				if resp.Diagnostics.HasError() {
					t.Errorf("got %v, want no error", resp.Diagnostics)
				}
				return
			}
			d := only(t, resp.Diagnostics)
			if !strings.Contains(d.Detail(), tt.wantErr) {
				t.Errorf("got detail %q, want it to contain %q", d.Detail(), tt.wantErr)
			}
		})
	}
}
