package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// target names one resource in a diagnostic, such as `tenant "acme"`.
type target struct {
	kind string // model.KindCluster, model.KindTenant or model.KindBucket
	name string // the name, or "tenant/name" for a bucket
}

func (t target) String() string { return fmt.Sprintf("%s %q", t.kind, t.name) }

// Advice that several diagnostics share, one sentence or two each.
const (
	adviceInvalid = "Fix the value in the configuration; the control plane refuses it " +
		"with the same message."
	adviceUnauthenticated = "The control plane did not accept the provider's token. Set " +
		"token (or STRATA_TOKEN) to a valid token, such as the one in the control plane's " +
		"admin.token file."
	adviceForbidden = "The token is valid but may not do this. Use a token that is " +
		"allowed to manage this resource."
	adviceNotFound = "The resource or its parent does not exist. Check the names in the " +
		"configuration, and create the parent first."
	adviceConflict = "Something on the control plane is in the way. Resolve what the " +
		"message names, then run terraform apply again."
	adviceStale = "The resource changed while Terraform worked on it. Run terraform apply " +
		"again."
	adviceUnprocessable = "The control plane cannot make this change in the resource's " +
		"current state. Revert the change in the configuration, or make it in the steps " +
		"that the message allows. Replacing the resource instead would destroy its data."
	adviceUnusable = "The control plane cannot use the value as given. Fix the field " +
		"that the message names in the configuration, then run terraform apply again."
	adviceTenantData = "The tenant may still hold data. Delete its buckets first (those " +
		"made through S3 with an S3 client), or start its storage nodes if the control " +
		"plane cannot reach them; or, to remove the tenant with all its data, set " +
		"force_destroy = true on the strata_tenant, run terraform apply, then destroy it."
	adviceCannotCreate = "The control plane cannot create the resource as declared. Change " +
		"the configuration as the message says, then run terraform apply again."
	adviceServer = "The control plane failed. Check its log, then run terraform apply " +
		"again."
	adviceUnreachable = "Check that the control plane runs and that the provider's " +
		"endpoint and ca_cert (or STRATA_ENDPOINT and STRATA_CA_CERT) point at it."
	adviceWait = "Fix what the conditions name (the control plane's status of the " +
		"resource says more), then run terraform apply again. If the work is only slow, " +
		"raise %s in the resource's configuration."
	adviceExists = "A resource of that name exists already but is not in the Terraform " +
		"state. Import it (terraform import %[1]s.<label> %[2]s, or an import block with " +
		"id = %[2]q), or choose another name."
)

// adviceFor says what to do about an API answer with the given HTTP status.
func adviceFor(status int) string {
	switch {
	case status == http.StatusBadRequest:
		return adviceInvalid
	case status == http.StatusUnauthorized:
		return adviceUnauthenticated
	case status == http.StatusForbidden:
		return adviceForbidden
	case status == http.StatusNotFound:
		return adviceNotFound
	case status == http.StatusConflict:
		return adviceConflict
	case status == http.StatusPreconditionFailed:
		return adviceStale
	case status == http.StatusUnprocessableEntity:
		return adviceUnprocessable
	case status >= 500:
		return adviceServer
	default:
		return adviceUnreachable
	}
}

// summaryFor is the short summary of a failed API call.
func summaryFor(op string, t target, status int) string {
	switch status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("Cannot %s %s: authentication failed", op, t)
	case http.StatusForbidden:
		return fmt.Sprintf("Cannot %s %s: permission denied", op, t)
	case 0:
		return fmt.Sprintf("Cannot %s %s: control plane unreachable", op, t)
	default:
		return fmt.Sprintf("Cannot %s %s", op, t)
	}
}

// addAPIError adds the diagnostics for a failed call, op being what the
// provider tried ("create", "read", "update", "delete"). Field violations
// that name an attribute become attribute diagnostics.
func addAPIError(diags *diag.Diagnostics, op string, t target, err error) {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		diags.AddError(summaryFor(op, t, 0), fmt.Sprintf("%v\n\n%s", err, adviceUnreachable))
		return
	}
	summary := summaryFor(op, t, ae.StatusCode)
	advice := adviceFor(ae.StatusCode)
	switch {
	case op == "create" && ae.StatusCode == http.StatusUnprocessableEntity:
		advice = adviceCannotCreate
	case ae.StatusCode == http.StatusUnprocessableEntity && !stateConflict(ae.Violations):
		advice = adviceUnusable
	case op == "delete" && t.kind == model.KindTenant && ae.StatusCode == http.StatusConflict:
		advice = adviceTenantData
	}
	rest := addViolations(diags, summary, ae.Violations, advice, nil)
	if len(ae.Violations) > 0 && len(rest) == 0 {
		return
	}
	detail := fmt.Sprintf("The control plane answered %d %s: %s", ae.StatusCode, ae.Status,
		ae.Message)
	for _, v := range rest {
		detail += fmt.Sprintf("\n  - %s: %s", v.Field, v.Description)
	}
	diags.AddError(summary, detail+"\n\n"+advice)
}

// stateRefusalRE matches what the model says when it refuses a change to
// what exists, such as "cannot change from 1 to 2: ...", rather than a value
// it cannot use, such as a certificate file it cannot read.
var stateRefusalRE = regexp.MustCompile(`^cannot (change|go (back|down)) |still being`)

// stateConflict reports whether a 422's violations refuse a change of the
// resource's current state: any of them does, or none is named.
func stateConflict(vs model.Violations) bool {
	for _, v := range vs {
		if stateRefusalRE.MatchString(v.Description) {
			return true
		}
	}
	return len(vs) == 0
}

// addViolations adds one attribute diagnostic per violation whose field maps
// to an attribute and that skip (when not nil) does not drop; advice says
// what to do. It returns the violations it could not map.
func addViolations(diags *diag.Diagnostics, summary string, vs model.Violations,
	advice string, skip func(field string) bool) model.Violations {
	var rest model.Violations
	for _, v := range vs {
		if skip != nil && skip(v.Field) {
			continue
		}
		p, ok := attributePath(v.Field)
		if !ok {
			rest = append(rest, v)
			continue
		}
		diags.AddAttributeError(p, summary, p.String()+": "+ruleDescription(v.Description)+
			"\n\n"+advice)
	}
	return rest
}

// configViolations turns the violations of a spec built from the
// configuration into plan-time diagnostics, on the attribute each names
// where it names one. skip drops violations that may be due to a value
// not known yet.
func configViolations(summary string, vs model.Violations,
	skip func(field string) bool) diag.Diagnostics {
	var diags diag.Diagnostics
	rest := addViolations(&diags, summary, vs, adviceInvalid, skip)
	for _, v := range rest {
		diags.AddError(summary, v.Field+": "+ruleDescription(v.Description)+"\n\n"+
			adviceInvalid)
	}
	return diags
}

// ruleField turns the field path of a violation that the model found in a
// configuration, such as quota.maxSize or lifecycle_rule[0].expireDays,
// into Terraform's attribute names: quota.max_size,
// lifecycle_rule[0].expire_days. A field that is no path, such as
// `tag "env"`, is kept as it is.
func ruleField(field string) string {
	segs := strings.Split(field, ".")
	for i, seg := range segs {
		m := ruleSegmentRE.FindStringSubmatch(seg)
		if m == nil {
			return field
		}
		segs[i] = snakeCase(m[1]) + m[2]
	}
	return strings.Join(segs, ".")
}

// ruleDescription is a violation's description without the model
// package's error prefix, which means nothing to a Terraform user.
func ruleDescription(d string) string { return strings.ReplaceAll(d, "model: ", "") }

// ruleSegmentRE is segmentRE that also takes the attribute names, with
// underscores, that the provider passes the model as field prefixes.
var ruleSegmentRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]*)((?:\[[0-9]+\])*)$`)

var segmentRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)((?:\[[0-9]+\])*)$`)
var indexRE = regexp.MustCompile(`\[([0-9]+)\]`)

// attributePath turns an API field path such as "spec.pools[0].drivesPerServer"
// into the attribute path pools[0].drives_per_server. It reports false for
// a field that names no attribute.
func attributePath(field string) (path.Path, bool) {
	switch {
	case field == "metadata.name":
		return path.Root("name"), true
	case field == "metadata.labels" || strings.HasPrefix(field, "metadata.labels."):
		return path.Root("labels"), true
	case !strings.HasPrefix(field, "spec."):
		return path.Empty(), false
	}
	var p path.Path
	for i, seg := range strings.Split(strings.TrimPrefix(field, "spec."), ".") {
		m := segmentRE.FindStringSubmatch(seg)
		if m == nil {
			return path.Empty(), false
		}
		if i == 0 {
			p = path.Root(snakeCase(m[1]))
		} else {
			p = p.AtName(snakeCase(m[1]))
		}
		for _, idx := range indexRE.FindAllStringSubmatch(m[2], -1) {
			n, err := strconv.Atoi(idx[1])
			if err != nil {
				return path.Empty(), false
			}
			p = p.AtListIndex(n)
		}
	}
	return p, true
}

// snakeCase turns a JSON name such as drivesPerServer into drives_per_server.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// addWaitError adds the diagnostic for a wait that failed: a timeout names
// the conditions the control plane reported last; any other failure is an
// API error. attr is the timeout attribute to raise, such as
// "timeouts.create".
func addWaitError(diags *diag.Diagnostics, op string, t target, timeout time.Duration,
	attr string, err error) {
	var te *timeoutError
	var ce *conditionError
	switch {
	case errors.As(err, &ce):
		diags.AddError(fmt.Sprintf("Cannot %s %s: %s", op, t, ce.what),
			fmt.Sprintf("The control plane reports %s.\n\n%s", ce.condition, ce.advice))
		return
	case errors.Is(err, context.Canceled):
		diags.AddError(fmt.Sprintf("Stopped waiting for %s", t),
			fmt.Sprintf("Terraform was interrupted while the control plane worked on %s. "+
				"Run terraform apply again to finish.", t))
		return
	case !errors.As(err, &te):
		addAPIError(diags, op, t, err)
		return
	}
	summary := fmt.Sprintf("Timed out waiting for %s to %s", t, te.goal)
	detail := fmt.Sprintf("After %s the control plane still reports %s as not done.\n%s\n\n"+
		adviceWait, timeout, t, te.report(), attr)
	diags.AddError(summary, detail)
}

// addExists adds the diagnostic for a create whose name is taken; typeName
// is the resource type, such as strata_bucket.
func addExists(diags *diag.Diagnostics, t target, typeName string) {
	diags.AddError(fmt.Sprintf("Cannot create %s: it already exists", t),
		fmt.Sprintf(adviceExists, typeName, t.name))
}

// addUnexpectedProviderData is the diagnostic for a provider wiring bug.
func addUnexpectedProviderData(diags *diag.Diagnostics, got any) {
	diags.AddError("Unexpected provider data",
		fmt.Sprintf("The resource expected a *client.Client and got %T. This is a bug in "+
			"the Strata provider; please report it.", got))
}

// addImportError is the diagnostic for an import ID of the wrong shape;
// want says what the ID should be.
func addImportError(diags *diag.Diagnostics, err error, want string) {
	diags.AddError("Invalid import ID", fmt.Sprintf("%v.\n\nUse %s.", err, want))
}
