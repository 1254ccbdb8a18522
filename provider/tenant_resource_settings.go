package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/strata-storage/strata/controlplane/model"
)

// tlsModel is strata_tenant's tls attribute. It holds file paths only:
// key material never enters the Terraform state.
type tlsModel struct {
	Source    types.String `tfsdk:"source"`
	CertFile  types.String `tfsdk:"cert_file"`
	KeyFile   types.String `tfsdk:"key_file"`
	CAFile    types.String `tfsdk:"ca_file"`
	SecretRef types.String `tfsdk:"secret_ref"`
}

// logTargetModel is one webhook or Elasticsearch target.
type logTargetModel struct {
	Type     types.String `tfsdk:"type"`
	Endpoint types.String `tfsdk:"endpoint"`
	Index    types.String `tfsdk:"index"`
}

// Object types of the tenant's settings.
var (
	tlsType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"source": types.StringType, "cert_file": types.StringType,
		"key_file": types.StringType, "ca_file": types.StringType,
		"secret_ref": types.StringType}}
	logTargetType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"type": types.StringType, "endpoint": types.StringType, "index": types.StringType}}
	kmsType   = types.ObjectType{AttrTypes: map[string]attr.Type{"key": types.StringType}}
	auditType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"targets": types.ListType{ElemType: logTargetType}}}
	monitoringType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"prometheus": types.BoolType}}
	classCodingType    = types.ObjectType{AttrTypes: map[string]attr.Type{"parity": types.Int64Type}}
	storageClassesType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"reduced_redundancy": classCodingType}}
)

// tenantSettingAttributes are strata_tenant's attributes for TLS, KMS,
// audit, logs, monitoring and storage classes.
func tenantSettingAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"tls":   tlsAttribute(),
		"kms":   kmsAttribute(),
		"audit": auditAttribute(),
		"log_targets": logTargetsAttribute("Where every node sends its own log lines, " +
			"each as a JSON record (time, level, logger name, message and the line's " +
			"fields). " + deliveryMD),
		"monitoring":      monitoringAttribute(),
		"storage_classes": storageClassesAttribute(),
	}
}

func tlsAttribute() schema.SingleNestedAttribute {
	md := "Where the S3 endpoint's certificate comes from. Left out, the tenant's " +
		"internal CA issues it, renews it and rotates the CA. Node-to-node traffic always " +
		"uses the internal CA. Only file paths are kept in the Terraform state, never key " +
		"material. Switching the source on an existing tenant restarts its nodes one at " +
		"a time (a tenant of one node is briefly unavailable)."
	source := docString("`internal` (default) or `provided`.")
	source.Optional, source.Computed = true, true
	source.Validators = []validator.String{tlsSourceRule()}
	source.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	secret := docOptionalString("With `provided`, instead of the files: a Kubernetes " +
		"Secret that holds the certificate chain in `tls.crt`, its key in `tls.key` and, " +
		"optionally, the bundle clients should trust in `ca.crt` (a `kubernetes.io/tls` " +
		"Secret, as `kubectl create secret tls` and cert-manager write it), written " +
		"`kubernetes:<namespace>/<name>`. The control plane reads it through its " +
		"`--kubeconfig` and rolls a changed certificate out to the nodes without a restart.")
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"source": source,
			"cert_file": docOptionalString("With `provided`: the path, readable by the " +
				"control plane, of a PEM file with the certificate followed by its chain. " +
				"It must cover the endpoint's host (`127.0.0.1` and `localhost` on a " +
				"`local` cluster). A change of the file's content is rolled out to the " +
				"nodes without a restart."),
			"key_file": docOptionalString("With `provided`: the path of the PEM file of " +
				"the certificate's private key."),
			"ca_file": docOptionalString("With `provided`, optional: the path of a PEM " +
				"bundle that clients should trust, shown as `ca_bundle`. Left out, the " +
				"chain's last certificate."),
			"secret_ref": secret,
		},
	}
}

func kmsAttribute() schema.SingleNestedAttribute {
	md := notBuiltMD("Binds the tenant to one of its `strata_key`s for server-side "+
		"encryption.", model.NotBuiltKMS)
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.Object{notBuiltRule{model.NotBuiltKMS}},
		Attributes: map[string]schema.Attribute{
			"key": docOptionalString("The name of a `strata_key` of the tenant."),
		},
	}
}

// deliveryMD says how audit records and log lines travel.
const deliveryMD = "Sending is asynchronous and never holds up an S3 request. Each node " +
	"queues up to 10,000 records per target and tries each send three times within about " +
	"a second: records for a target that stays down are lost, counted in the node's " +
	"metrics (`strata_telemetry_records_total`, results `sent`, `failed` and `dropped`) " +
	"and warned about in its log. A stopping node sends what is queued for up to 3 " +
	"seconds. Changing the targets restarts the nodes one at a time (a tenant of one node " +
	"is briefly unavailable)."

func auditAttribute() schema.SingleNestedAttribute {
	md := "Sends the S3 audit log to targets: every node sends one JSON record per S3 " +
		"request it answers, the control plane's own checks included (time, request ID, " +
		"node, operation, bucket, key, status, duration, request and answer body bytes as " +
		"sent, so with any aws-chunked framing, remote address, user agent, the signing " +
		"access key ID and the error code; never a secret, a signature or a body). " +
		deliveryMD
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"targets": requiredList(logTargetsAttribute("Where audit records go.")),
		},
	}
}

// requiredList makes a list attribute required.
func requiredList(a schema.ListNestedAttribute) schema.ListNestedAttribute {
	a.Optional, a.Required = false, true
	return a
}

func logTargetsAttribute(md string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.List{nonEmptyList{"give at least one target, or leave the " +
			"attribute out for none"}},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"type": docRequiredString("`webhook` (each record is POSTed as one JSON " +
				"body) or `elasticsearch` (records are indexed in batches through the " +
				"`_bulk` API)."),
			"endpoint": docRequiredString("The target's http or https URL: the webhook's " +
				"URL (a query is kept), or Elasticsearch's base URL. It may not carry a " +
				"user or password: it shows in the tenant, the state and the nodes' " +
				"command lines."),
			"index": docOptionalString("The Elasticsearch index; `elasticsearch` only. " +
				"Left out, `strata-audit` for audit records and `strata-logs` for log lines."),
		}},
	}
}

func monitoringAttribute() schema.SingleNestedAttribute {
	md := "How the tenant's metrics are exposed."
	pmd := "Every node serves Prometheus metrics, without authentication, at its " +
		"endpoint's `/strata/metrics` (S3 requests by operation and status, request " +
		"durations, healing progress, drives online). Default `false`: no metrics. Read " +
		"when the nodes start: changing it on an existing tenant restarts them one at a " +
		"time (a tenant of one node is briefly unavailable)."
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"prometheus": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: plain(pmd), MarkdownDescription: pmd,
			},
		},
	}
}

func storageClassesAttribute() schema.SingleNestedAttribute {
	md := "How objects of the S3 storage classes other than `STANDARD` are stored. " +
		"`STANDARD` always gets the tenant's `parity`; classes that need tiering " +
		"(`STANDARD_IA`, `GLACIER` and the rest) are refused by the nodes."
	rmd := "Objects written with `x-amz-storage-class: REDUCED_REDUNDANCY`. Left out, " +
		"they get the tenant's parity and still keep and report their class, as S3 " +
		"clients expect."
	pmd := "The parity shards of each such object, 1 to the tenant's `parity`; the data " +
		"shards are the rest of each erasure set's drives, so the same drives hold more " +
		"data, and an object is lost when more than this many drives of its set fail. " +
		"Changed in place: each object keeps the parity it was written with, and the " +
		"nodes restart one at a time to take the new one (a tenant of one node is " +
		"briefly unavailable)."
	parity := docInt64(pmd)
	parity.Required = true
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"reduced_redundancy": schema.SingleNestedAttribute{
				Optional: true, Description: plain(rmd), MarkdownDescription: rmd,
				Attributes: map[string]schema.Attribute{"parity": parity},
			},
		},
	}
}

// tlsSourceRule checks tls.source with the model's rule.
func tlsSourceRule() modelRule {
	return modelRule{
		description: "internal or provided",
		check: func(s string) model.Violations {
			var v model.Violations
			spec := model.TenantSpec{TLS: &model.TenantTLS{Source: s}}
			for _, f := range spec.ValidateSettings() {
				if f.Field == "spec.tls.source" {
					v = append(v, f)
				}
			}
			return v
		},
	}
}

// settingsFromConfig adds the TLS, audit, log and storage class settings
// that m declares to spec for validation; a setting with values not known
// yet is left out, and named in u.
func settingsFromConfig(ctx context.Context, m tenantModel, spec *model.TenantSpec,
	u *unknownFields) {
	spec.StorageClasses = storageClassesFromConfig(m.StorageClasses, u)
	spec.Audit, spec.LogTargets = targetsFromConfig(ctx, m, u)
	if m.TLS.IsUnknown() {
		u.add("spec.tls")
		return
	}
	if m.TLS.IsNull() {
		return
	}
	for _, v := range m.TLS.Attributes() {
		if v.IsUnknown() {
			u.add("spec.tls")
		}
	}
	var tm tlsModel
	if m.TLS.As(ctx, &tm, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}).HasError() {
		u.add("spec.tls")
		return
	}
	spec.TLS = tm.toAPI()
}

// storageClassesFromConfig returns the storage classes that obj declares;
// a value not known yet is left out, and named in u.
func storageClassesFromConfig(obj types.Object, u *unknownFields) *model.TenantStorageClasses {
	const field = "spec.storageClasses"
	if obj.IsUnknown() {
		u.add(field)
	}
	if obj.IsNull() || obj.IsUnknown() {
		return nil
	}
	out := &model.TenantStorageClasses{}
	rr, _ := obj.Attributes()["reduced_redundancy"].(types.Object)
	switch {
	case rr.IsUnknown():
		u.add(field + ".reducedRedundancy")
		return out
	case rr.IsNull():
		return out
	}
	p, _ := rr.Attributes()["parity"].(types.Int64)
	if p.IsUnknown() || p.IsNull() { // Terraform reports a missing required value
		u.add(field + ".reducedRedundancy.parity")
		return out
	}
	out.ReducedRedundancy = &model.StorageClassCoding{Parity: int(p.ValueInt64())}
	return out
}

// targetsFromConfig returns the audit block and the log targets that m
// declares; one with values not known yet is left out, and named in u.
func targetsFromConfig(ctx context.Context, m tenantModel,
	u *unknownFields) (*model.TenantAudit, []model.LogTarget) {
	var audit *model.TenantAudit
	switch {
	case m.Audit.IsUnknown():
		u.add("spec.audit")
	case !m.Audit.IsNull():
		list, _ := m.Audit.Attributes()["targets"].(types.List)
		if targets, ok := logTargetsFromList(ctx, list); ok {
			audit = &model.TenantAudit{Targets: targets}
		} else {
			u.add("spec.audit")
		}
	}
	logs, ok := logTargetsFromList(ctx, m.LogTargets)
	if !ok {
		u.add("spec.logTargets")
	}
	return audit, logs
}

// logTargetsFromList returns the targets of list, and false when some are
// not known yet.
func logTargetsFromList(ctx context.Context, list types.List) ([]model.LogTarget, bool) {
	if list.IsUnknown() {
		return nil, false
	}
	var tms []logTargetModel
	if list.IsNull() {
		return nil, true
	}
	if list.ElementsAs(ctx, &tms, false).HasError() {
		return nil, false
	}
	out := make([]model.LogTarget, len(tms))
	for i, tm := range tms {
		if tm.Type.IsUnknown() || tm.Endpoint.IsUnknown() || tm.Index.IsUnknown() {
			return nil, false
		}
		out[i] = model.LogTarget{Type: tm.Type.ValueString(),
			Endpoint: tm.Endpoint.ValueString(), Index: tm.Index.ValueString()}
	}
	return out, true
}

// logTargetsToList is the list value of targets; null when there are none.
func logTargetsToList(targets []model.LogTarget) (types.List, diag.Diagnostics) {
	if len(targets) == 0 {
		return types.ListNull(logTargetType), nil
	}
	elems := make([]attr.Value, len(targets))
	var diags diag.Diagnostics
	for i, t := range targets {
		var d diag.Diagnostics
		elems[i], d = types.ObjectValue(logTargetType.AttrTypes, map[string]attr.Value{
			"type": types.StringValue(t.Type), "endpoint": types.StringValue(t.Endpoint),
			"index": nullIfEmpty(t.Index)})
		diags.Append(d...)
	}
	list, d := types.ListValue(logTargetType, elems)
	diags.Append(d...)
	return list, diags
}

// settingsFromPlan adds the settings of a known plan to spec. The ones
// not built yet never get here: their validators fail the plan.
func settingsFromPlan(ctx context.Context, m tenantModel, spec *model.TenantSpec) diag.Diagnostics {
	var diags diag.Diagnostics
	known := &unknownFields{prefixes: map[string]bool{}}
	spec.StorageClasses = storageClassesFromConfig(m.StorageClasses, known)
	spec.Audit, spec.LogTargets = targetsFromConfig(ctx, m, known)
	if !m.TLS.IsNull() && !m.TLS.IsUnknown() {
		var tm tlsModel
		diags.Append(m.TLS.As(ctx, &tm, basetypes.ObjectAsOptions{})...)
		spec.TLS = tm.toAPI()
	}
	if !m.Monitoring.IsNull() && !m.Monitoring.IsUnknown() {
		spec.Monitoring = &model.TenantMonitoring{}
		if b, ok := m.Monitoring.Attributes()["prometheus"].(types.Bool); ok {
			spec.Monitoring.Prometheus = b.ValueBool()
		}
	}
	return diags
}

func (tm tlsModel) toAPI() *model.TenantTLS {
	return &model.TenantTLS{
		Source:    tm.Source.ValueString(),
		CertFile:  tm.CertFile.ValueString(),
		KeyFile:   tm.KeyFile.ValueString(),
		CAFile:    tm.CAFile.ValueString(),
		SecretRef: tm.SecretRef.ValueString(),
	}
}

// settingsFromAPI copies the tenant's settings into m. Settings not built
// yet (kms) are always null: the API refuses them.
func (m *tenantModel) settingsFromAPI(t *model.Tenant) diag.Diagnostics {
	var diags, d diag.Diagnostics
	m.KMS, m.Audit = types.ObjectNull(kmsType.AttrTypes), types.ObjectNull(auditType.AttrTypes)
	if a := t.Spec.Audit; a != nil {
		var targets types.List
		targets, d = logTargetsToList(a.Targets)
		diags.Append(d...)
		if targets.IsNull() { // the API requires at least one
			targets = types.ListValueMust(logTargetType, nil)
		}
		m.Audit, d = types.ObjectValue(auditType.AttrTypes, map[string]attr.Value{
			"targets": targets})
		diags.Append(d...)
	}
	m.LogTargets, d = logTargetsToList(t.Spec.LogTargets)
	diags.Append(d...)
	m.TLS = types.ObjectNull(tlsType.AttrTypes)
	if tl := t.Spec.TLS; tl != nil {
		m.TLS, d = types.ObjectValue(tlsType.AttrTypes, map[string]attr.Value{
			"source":     types.StringValue(tl.Source),
			"cert_file":  nullIfEmpty(tl.CertFile),
			"key_file":   nullIfEmpty(tl.KeyFile),
			"ca_file":    nullIfEmpty(tl.CAFile),
			"secret_ref": nullIfEmpty(tl.SecretRef),
		})
		diags.Append(d...)
	}
	m.Monitoring = types.ObjectNull(monitoringType.AttrTypes)
	if mon := t.Spec.Monitoring; mon != nil {
		m.Monitoring, d = types.ObjectValue(monitoringType.AttrTypes,
			map[string]attr.Value{"prometheus": types.BoolValue(mon.Prometheus)})
		diags.Append(d...)
	}
	m.StorageClasses, d = storageClassesFromAPI(t.Spec.StorageClasses)
	diags.Append(d...)
	return diags
}

// storageClassesFromAPI returns the storage_classes value of sc.
func storageClassesFromAPI(sc *model.TenantStorageClasses) (types.Object, diag.Diagnostics) {
	if sc == nil {
		return types.ObjectNull(storageClassesType.AttrTypes), nil
	}
	rr := types.ObjectNull(classCodingType.AttrTypes)
	var diags diag.Diagnostics
	if c := sc.ReducedRedundancy; c != nil {
		rr, diags = types.ObjectValue(classCodingType.AttrTypes,
			map[string]attr.Value{"parity": types.Int64Value(int64(c.Parity))})
	}
	obj, d := types.ObjectValue(storageClassesType.AttrTypes,
		map[string]attr.Value{"reduced_redundancy": rr})
	return obj, append(diags, d...)
}

// nullIfEmpty is s, or null when empty.
func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
