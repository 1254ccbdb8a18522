package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

func TestAttributePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field  string
		want   path.Path
		wantOK bool
	}{
		{"spec.kind", path.Root("kind"), true},
		{"spec.parity", path.Root("parity"), true},
		{"spec.pools", path.Root("pools"), true},
		{"spec.pools[2]", path.Root("pools").AtListIndex(2), true},
		{"spec.pools[0].drivesPerServer",
			path.Root("pools").AtListIndex(0).AtName("drives_per_server"), true},
		{"spec.forceDestroy", path.Root("force_destroy"), true},
		{"metadata.name", path.Root("name"), true},
		{"metadata.labels.team", path.Root("labels"), true},
		{"metadata.uid", path.Empty(), false},
		{"body", path.Empty(), false},
		{"spec.pools[x]", path.Empty(), false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s maps to %s", tt.field, tt.want), func(t *testing.T) {
			t.Parallel()
			got, ok := attributePath(tt.field)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("got %s, %v; want %s, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// only returns the single diagnostic in diags, failing t otherwise.
func only(t *testing.T, diags diag.Diagnostics) diag.Diagnostic {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics (%v), want 1", len(diags), diags)
	}
	return diags[0]
}

func TestAddAPIError(t *testing.T) {
	t.Parallel()
	tenant := target{model.KindTenant, "acme"}
	tests := []struct {
		name        string
		err         error
		wantSummary string
		wantDetail  []string
	}{
		{"a rejected token says authentication failed and what to set",
			apiError(401, "the token is not valid"),
			`Cannot read tenant "acme": authentication failed`,
			[]string{"the token is not valid", "STRATA_TOKEN"}},
		{"a forbidden call says permission denied",
			apiError(403, "read-only token"),
			`Cannot read tenant "acme": permission denied`,
			[]string{"read-only token", "allowed"}},
		{"a change the server cannot make carries its message and warns about replacing",
			apiError(422, "pools cannot shrink while they hold data"),
			`Cannot read tenant "acme"`,
			[]string{"pools cannot shrink while they hold data", "destroy its data"}},
		{"an unreachable control plane says so",
			fmt.Errorf("client: GET /v1/tenants/acme: %w", errors.New("connection refused")),
			`Cannot read tenant "acme": control plane unreachable`,
			[]string{"connection refused", "STRATA_ENDPOINT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			addAPIError(&diags, "read", tenant, tt.err)
			d := only(t, diags)
			if d.Summary() != tt.wantSummary {
				t.Errorf("got summary %q, want %q", d.Summary(), tt.wantSummary)
			}
			for _, want := range tt.wantDetail {
				if !strings.Contains(d.Detail(), want) {
					t.Errorf("got detail %q, want it to contain %q", d.Detail(), want)
				}
			}
		})
	}
}

func TestAddAPIErrorPutsViolationsOnTheirAttributes(t *testing.T) {
	t.Parallel()
	err := &client.APIError{StatusCode: 400, ErrorDetail: model.ErrorDetail{
		Code: 400, Status: model.ErrInvalidArgument, Message: "the tenant is invalid",
		Violations: model.Violations{
			{Field: "spec.pools[0].servers", Description: "0 is out of range: use 1 to 32"},
			{Field: "body", Description: "unexpected field"},
		},
	}}
	var diags diag.Diagnostics
	addAPIError(&diags, "create", target{model.KindTenant, "acme"}, err)

	if len(diags) != 2 {
		t.Fatalf("got %d diagnostics (%v), want 2", len(diags), diags)
	}
	withPath, ok := diags[0].(diag.DiagnosticWithPath)
	wantPath := path.Root("pools").AtListIndex(0).AtName("servers")
	if !ok || !withPath.Path().Equal(wantPath) {
		t.Errorf("got first diagnostic %v, want one on %s", diags[0], wantPath)
	}
	if !strings.Contains(diags[1].Detail(), "body: unexpected field") {
		t.Errorf("got second detail %q, want it to list the unmapped violation",
			diags[1].Detail())
	}
}

func TestAddWaitErrorNamesTheResourceAndItsConditions(t *testing.T) {
	t.Parallel()
	p := *degraded
	err := &timeoutError{goal: "become ready", last: &p}
	var diags diag.Diagnostics
	addWaitError(&diags, "create", target{model.KindTenant, "acme"}, 10*time.Minute,
		"timeouts.create", err)

	d := only(t, diags)
	if want := `Timed out waiting for tenant "acme" to become ready`; d.Summary() != want {
		t.Errorf("got summary %q, want %q", d.Summary(), want)
	}
	for _, want := range []string{"10m0s", "NodesStarting", "1 of 4 drives online",
		"DriveOffline", "drive 3 is offline", "timeouts.create"} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("got detail %q, want it to contain %q", d.Detail(), want)
		}
	}
}

func TestAddWaitErrorOnCancel(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	err := fmt.Errorf("provider: waiting to become ready: %w", context.Canceled)
	addWaitError(&diags, "create", target{model.KindBucket, "acme/logs"}, time.Minute,
		"timeouts.create", err)
	if d := only(t, diags); !strings.Contains(d.Summary(), "Stopped waiting") {
		t.Errorf("got summary %q, want one that says the wait stopped", d.Summary())
	}
}
