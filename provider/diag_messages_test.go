package provider

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// details joins the details of diags, one a line.
func details(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Detail() + "\n")
	}
	return b.String()
}

// checkText fails t unless got holds every want and none of avoid.
func checkText(t *testing.T, got string, want, avoid []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("got %q, want it to contain %q", got, w)
		}
	}
	for _, a := range avoid {
		if strings.Contains(got, a) {
			t.Errorf("got %q, want no %q in it", got, a)
		}
	}
}

func TestAPIErrorAdviceFitsTheRefusal(t *testing.T) {
	t.Parallel()
	tenant := target{model.KindTenant, "acme"}
	refused := func(status int, vs ...model.FieldViolation) error {
		return &client.APIError{StatusCode: status, ErrorDetail: model.ErrorDetail{
			Code: status, Status: model.ErrFailedPrecondition,
			Message: "the request cannot be carried out", Violations: vs}}
	}
	tests := []struct {
		name        string
		op          string
		err         error
		want, avoid []string
	}{
		{
			name: "a certificate file the control plane cannot use says to fix the field",
			op:   "update",
			err: refused(http.StatusUnprocessableEntity, model.FieldViolation{
				Field:       "spec.tls.keyFile",
				Description: "/etc/key.pem does not hold the private key of /etc/cert.pem"}),
			want:  []string{"tls.key_file: /etc/key.pem", "Fix the field"},
			avoid: []string{"current state", "destroy its data"},
		},
		{
			name: "a change of state the control plane cannot make warns against replacing",
			op:   "update",
			err: refused(http.StatusUnprocessableEntity, model.FieldViolation{
				Field:       "spec.parity",
				Description: "cannot change from 2 to 1: stored objects keep the parity"}),
			want:  []string{"current state", "destroy its data"},
			avoid: []string{"Fix the field"},
		},
		{
			name: "a tenant delete refused for its buckets says to delete them or force",
			op:   "delete",
			err: &client.APIError{StatusCode: http.StatusConflict, ErrorDetail: model.ErrorDetail{
				Code: http.StatusConflict, Status: model.ErrFailedPrecondition,
				Message: `tenant "acme" still has 1 bucket(s) (raw (made through S3))`}},
			want: []string{"raw (made through S3)", "Delete its buckets",
				"force_destroy = true"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			addAPIError(&diags, tt.op, tenant, tt.err)
			checkText(t, details(diags), tt.want, tt.avoid)
		})
	}
}

func TestPlanTimeMessagesUseAttributeNames(t *testing.T) {
	t.Parallel()
	quota := func(size attr.Value, objects attr.Value) diag.Diagnostics {
		req := validator.ObjectRequest{Path: path.Root("quota"),
			ConfigValue: types.ObjectValueMust(quotaType.AttrTypes, map[string]attr.Value{
				"max_size": size, "max_objects": objects})}
		var resp validator.ObjectResponse
		quotaRule{}.ValidateObject(context.Background(), req, &resp)
		return resp.Diagnostics
	}
	tests := []struct {
		name        string
		diags       diag.Diagnostics
		want, avoid []string
	}{
		{
			name:  "a quota size that does not parse names max_size",
			diags: quota(types.StringValue("1 GB"), types.Int64Null()),
			want:  []string{`quota.max_size size "1 GB"`},
			avoid: []string{"maxSize", "model:"},
		},
		{
			name:  "a zero object limit names max_objects",
			diags: quota(types.StringNull(), types.Int64Value(0)),
			want:  []string{"quota.max_objects must be at least 1"},
			avoid: []string{"maxObjects"},
		},
		{
			name:  "a quota without limits names both by their attributes",
			diags: quota(types.StringNull(), types.Int64Null()),
			want:  []string{"max_size", "max_objects"},
			avoid: []string{"maxSize", "maxObjects"},
		},
		{
			name: "a pool's drive size that does not parse names drive_size",
			diags: validateTenant(context.Background(), tenantConfig(
				withPool(pool4("p0"), "drive_size", types.StringValue("1 GB")))),
			want:  []string{`pools[0].drive_size: size "1 GB"`},
			avoid: []string{"model:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !tt.diags.HasError() {
				t.Fatalf("got no error, want one")
			}
			checkText(t, details(tt.diags), tt.want, tt.avoid)
		})
	}
}

func TestRuleField(t *testing.T) {
	t.Parallel()
	tests := []struct{ field, want string }{
		{"quota.maxSize", "quota.max_size"},
		{"lifecycle_rule[0].expireDays", "lifecycle_rule[0].expire_days"},
		{"object_lock", "object_lock"},
		{`tag "env"`, `tag "env"`},
	}
	for _, tt := range tests {
		t.Run(tt.field+" reads "+tt.want, func(t *testing.T) {
			t.Parallel()
			if got := ruleField(tt.field); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
