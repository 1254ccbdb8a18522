package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// identityPolicyRule checks an access key's policy with the model's rule:
// a JSON object of bounded size. What the document says is checked by the
// control plane, with the storage nodes' policy engine, at apply.
func identityPolicyRule() modelRule {
	return modelRule{
		description: "an IAM identity policy document as a JSON string",
		check: func(s string) model.Violations {
			var v model.Violations
			model.ValidatePolicyJSON(&v, "policy", s)
			return v
		},
	}
}

// noDecrease refuses at plan time a secret_version lower than the one in
// state, as the API would at apply.
type noDecrease struct{}

var _ planmodifier.Int64 = noDecrease{}

// Description says what the modifier does.
func (noDecrease) Description(context.Context) string {
	return "refuses a value lower than the current one"
}

// MarkdownDescription says what the modifier does.
func (m noDecrease) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

// PlanModifyInt64 adds an error when the planned value is below the
// state's.
func (noDecrease) PlanModifyInt64(_ context.Context, req planmodifier.Int64Request,
	resp *planmodifier.Int64Response) {
	if req.StateValue.IsNull() || req.PlanValue.IsUnknown() || req.PlanValue.IsNull() {
		return
	}
	prior, planned := req.StateValue.ValueInt64(), req.PlanValue.ValueInt64()
	if planned < prior {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid access key",
			fmt.Sprintf("%s cannot go down from %d to %d: raise it to rotate the secret, "+
				"or leave it as it is.\n\n%s", req.Path, prior, planned, adviceInvalid))
	}
}

// newSecretOnRotation plans a value that a rotation replaces, such as the
// secret: unknown on create and when secret_version changes, the state's
// value otherwise.
type newSecretOnRotation struct{}

var _ planmodifier.String = newSecretOnRotation{}

// Description says what the modifier does.
func (newSecretOnRotation) Description(context.Context) string {
	return "known after apply when secret_version changes; otherwise kept"
}

// MarkdownDescription says what the modifier does.
func (m newSecretOnRotation) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

// PlanModifyString keeps the state's value unless the plan rotates.
func (newSecretOnRotation) PlanModifyString(ctx context.Context,
	req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var planned, prior types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, secretVersionPath, &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, secretVersionPath, &prior)...)
	if planned.IsUnknown() || !planned.Equal(prior) {
		resp.PlanValue = types.StringUnknown()
		return
	}
	resp.PlanValue = req.StateValue
}
