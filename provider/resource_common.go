package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// defaultTimeout bounds create, update and delete unless timeouts says
// otherwise.
const defaultTimeout = 10 * time.Minute

// resourceBase holds what every resource shares: the client that the
// provider configured.
type resourceBase struct {
	client *client.Client
}

// Configure takes the client from the provider.
func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest,
	resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*client.Client)
	if !ok {
		addUnexpectedProviderData(&resp.Diagnostics, req.ProviderData)
		return
	}
	b.client = c
}

// plain turns a Markdown description into plain text.
func plain(md string) string { return strings.ReplaceAll(md, "`", "") }

// idAttribute is the computed id every resource has.
func idAttribute(md string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		Description:         plain(md),
		MarkdownDescription: md,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// uidAttribute is the computed uid every resource has.
func uidAttribute(kind string) schema.StringAttribute {
	md := "The control plane's unique ID of this " + kind + ". A " + kind + " deleted and " +
		"created again under the same name gets a new `uid`."
	return schema.StringAttribute{
		Computed:            true,
		Description:         plain(md),
		MarkdownDescription: md,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// labelsAttribute is the optional labels map every resource has.
func labelsAttribute(kind string) schema.MapAttribute {
	md := "Free-form key/value pairs that the control plane keeps on the " + kind +
		"'s metadata. Changing them updates the " + kind + " in place."
	return schema.MapAttribute{
		ElementType:         types.StringType,
		Optional:            true,
		Description:         plain(md),
		MarkdownDescription: md,
		Validators:          []validator.Map{labelsRule{}},
	}
}

// labelsRule checks labels with the model's limits at plan time.
type labelsRule struct{}

var _ validator.Map = labelsRule{}

// Description says what the rule accepts.
func (labelsRule) Description(context.Context) string {
	return fmt.Sprintf("at most %d labels; keys of 1 to %d characters, values of at most %d",
		model.MaxLabels, model.MaxLabelKeyLength, model.MaxLabelValueLength)
}

// MarkdownDescription is Description.
func (r labelsRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

// ValidateMap checks the known labels and adds one diagnostic per violation.
func (labelsRule) ValidateMap(_ context.Context, req validator.MapRequest,
	resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	labels := map[string]string{}
	for k, e := range req.ConfigValue.Elements() {
		if s, ok := e.(types.String); ok && !s.IsUnknown() {
			labels[k] = s.ValueString()
		}
	}
	var v model.Violations
	model.ValidateLabels(&v, "labels", labels)
	for _, f := range v {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
			f.Field+" "+f.Description+"\n\n"+adviceInvalid)
	}
}

// timeoutsAttribute is the timeouts object every resource has.
func timeoutsAttribute(ctx context.Context, kind string) schema.Attribute {
	about := "A duration such as `30s` or `15m`: how long Terraform waits for the " +
		"control plane to %s the " + kind + ". Default `10m`."
	a := timeouts.Attributes(ctx, timeouts.Opts{
		Create:            true,
		Update:            true,
		Delete:            true,
		CreateDescription: strings.Replace(about, "%s", "create", 1),
		UpdateDescription: strings.Replace(about, "%s", "update", 1),
		DeleteDescription: strings.Replace(about, "%s", "delete", 1),
	})
	nested := a.(schema.SingleNestedAttribute)
	md := "How long to wait for the control plane to finish work on the " + kind +
		" before the operation fails. Terraform polls the `Ready` condition meanwhile."
	nested.Description = plain(md)
	nested.MarkdownDescription = md
	return nested
}

// labelsToAPI reads a labels map from the plan.
func labelsToAPI(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() {
		return nil, nil
	}
	labels := map[string]string{}
	diags := m.ElementsAs(ctx, &labels, false)
	return labels, diags
}

// labelsFromAPI is the state value of the labels the server returned. An
// empty set of labels keeps the form the configuration used: an empty map
// or null.
func labelsFromAPI(labels map[string]string, prior types.Map) types.Map {
	if len(labels) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() {
			return types.MapValueMust(types.StringType, map[string]attr.Value{})
		}
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(labels))
	for k, v := range labels {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// metaProgress builds a wait's progress from a resource's parts.
func metaProgress(m model.Metadata, observed int64, cs model.Conditions) progress {
	return progress{
		generation:         m.Generation,
		observedGeneration: observed,
		conditions:         cs,
		deleting:           m.DeleteTime != nil,
	}
}

// checkAbsent makes sure that no resource of the name exists before a
// create. One that is being deleted is waited for; one that exists is
// reported as found.
func checkAbsent[T any](ctx context.Context, w waiter[T]) (found bool, err error) {
	obj, err := w.get(ctx)
	switch {
	case client.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	case !w.progress(obj).deleting:
		return true, nil
	}
	return false, w.gone(ctx)
}

// readGone reports whether a read found the resource missing, or being
// deleted: either way the plan creates it again.
func readGone[T any](w waiter[T], obj *T, err error) bool {
	if err != nil {
		return client.IsNotFound(err)
	}
	return w.progress(obj).deleting
}
