package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

func TestKeyDefaultsToTheBuiltinBackend(t *testing.T) {
	t.Parallel()
	_, c, rec := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)
	k, err := c.PutKey(ctx, "acme", "data", model.KeySpec{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.Spec.Backend != model.KeyBackendBuiltin || k.Spec.Tenant != "acme" ||
		k.Metadata.Name != "data" || k.Status.Versions != 0 {
		t.Errorf("got %+v, want a builtin key data of tenant acme with no versions yet", k)
	}
	if last := rec.calls[len(rec.calls)-1]; last != "key/acme/data" {
		t.Errorf("got notification %q, want key/acme/data", last)
	}
	again, err := c.PutKey(ctx, "acme", "data", model.KeySpec{Backend: "builtin"}, nil)
	if err != nil || again.Metadata.ETag != k.Metadata.ETag {
		t.Errorf("the same key again: got %v, %v; want it unchanged", again, err)
	}
	keys, err := c.ListKeys(ctx, "acme")
	if err != nil || len(keys) != 1 || keys[0].Metadata.Name != "data" {
		t.Errorf("list: got %v, %v; want the one key", keys, err)
	}
}

func TestRaisingTheRotationGenerationChangesTheKey(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := context.Background()
	mustTenant(t, c)
	spec := model.KeySpec{RotationPeriod: "720h", RotationGeneration: 1}
	first, err := c.PutKey(ctx, "acme", "data", spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec.RotationGeneration = 2
	raised, err := c.PutKey(ctx, "acme", "data", spec, nil)
	if err != nil || raised.Metadata.Generation != first.Metadata.Generation+1 {
		t.Fatalf("raising: got %v, %v; want generation %d", raised, err,
			first.Metadata.Generation+1)
	}
	spec.RotationGeneration = 1
	_, err = c.PutKey(ctx, "acme", "data", spec, nil)
	checkViolation(t, err, http.StatusUnprocessableEntity, "spec.rotationGeneration", "go down")
}

func TestKeyRefusals(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	tests := []struct {
		name, path, body string
		want             int
		field, words     string
	}{
		{"a vault key without its Transit key is invalid", "/v1/tenants/acme/keys/v",
			`{"spec":{"backend":"vault","vault":{"mount":"transit"}}}`, 400,
			"spec.vault.keyName", "is required"},
		{"a vault key without a vault block is invalid", "/v1/tenants/acme/keys/v",
			`{"spec":{"backend":"vault"}}`, 400, "spec.vault", "mount and keyName"},
		{"a vault key cannot be made in this build", "/v1/tenants/acme/keys/v",
			`{"spec":{"backend":"vault","vault":{"mount":"transit","keyName":"acme"}}}`, 422,
			"spec.backend", "no Vault address and token"},
		{"an unknown backend is invalid", "/v1/tenants/acme/keys/k",
			`{"spec":{"backend":"hsm"}}`, 400, "spec.backend", "not a key backend"},
		{"a vault block on a builtin key is invalid", "/v1/tenants/acme/keys/k",
			`{"spec":{"vault":{"mount":"transit","keyName":"acme"}}}`, 400, "spec.vault",
			"only for the vault backend"},
		{"a rotation period under an hour is invalid", "/v1/tenants/acme/keys/k",
			`{"spec":{"rotationPeriod":"30m"}}`, 400, "spec.rotationPeriod", "at least 1h"},
		{"a rotation period that is no duration is invalid", "/v1/tenants/acme/keys/k",
			`{"spec":{"rotationPeriod":"monthly"}}`, 400, "spec.rotationPeriod", "720h"},
		{"a negative rotation generation is invalid", "/v1/tenants/acme/keys/k",
			`{"spec":{"rotationGeneration":-1}}`, 400, "", ""},
		{"a key name that is not a name is invalid", "/v1/tenants/acme/keys/Data",
			`{"spec":{}}`, 400, "metadata.name", "not a valid name"},
		{"a key naming another tenant is invalid", "/v1/tenants/acme/keys/k",
			`{"spec":{"tenant":"other"}}`, 400, "spec.tenant", "differs"},
		{"a key of a missing tenant is not found", "/v1/tenants/nope/keys/k",
			`{"spec":{}}`, 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, http.MethodPut, tt.path, tt.body, nil)
			checkErrorAnswer(t, resp, tt.want, tt.field, tt.words)
		})
	}
}

func TestKeysOfAMissingTenantAreNotFound(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	_, err := c.ListKeys(context.Background(), "nope")
	if !client.IsNotFound(err) {
		t.Errorf("got %v, want 404", err)
	}
}

// checkErrorAnswer checks an error answer's status and, when field is set,
// that a violation of field says words.
func checkErrorAnswer(t *testing.T, resp *http.Response, want int, field, words string) {
	t.Helper()
	var eb model.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
		t.Fatalf("decoding the answer: %v", err)
	}
	if resp.StatusCode != want || eb.Error.Code != want || eb.Error.Message == "" {
		t.Fatalf("got %d %+v, want %d with a message", resp.StatusCode, eb.Error, want)
	}
	if field != "" {
		checkViolations(t, eb.Error.Violations, field, words)
	}
}

// checkViolation checks that err is an API error of status code with a
// violation of field that says words.
func checkViolation(t *testing.T, err error, code int, field, words string) {
	t.Helper()
	var ae *client.APIError
	if !asAPIError(err, &ae) || ae.StatusCode != code {
		t.Fatalf("got %v, want a %d API error", err, code)
	}
	checkViolations(t, ae.Violations, field, words)
}

func checkViolations(t *testing.T, vs model.Violations, field, words string) {
	t.Helper()
	for _, v := range vs {
		if v.Field == field && strings.Contains(v.Description, words) {
			return
		}
	}
	t.Errorf("got violations %v, want one of %s saying %q", vs, field, words)
}
