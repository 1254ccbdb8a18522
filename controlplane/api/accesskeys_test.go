package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// readLogs is an identity policy that lets a key read the logs bucket.
const readLogs = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`

// checkPair checks that a key has a well-formed access key ID and, when
// withSecret, a secret of the right length, and otherwise none.
func checkPair(t *testing.T, what string, a *model.AccessKey, withSecret bool) {
	t.Helper()
	if !model.ValidAccessKeyID(a.Status.AccessKeyID) {
		t.Errorf("%s: got access key ID %q, want 20 upper-case letters and digits", what,
			a.Status.AccessKeyID)
	}
	got := a.Status.SecretAccessKey
	switch {
	case withSecret && len(got) != model.SecretAccessKeyLength:
		t.Errorf("%s: got a secret of %d characters, want %d", what, len(got),
			model.SecretAccessKeyLength)
	case !withSecret && got != "":
		t.Errorf("%s: got secret %q, want none", what, got)
	}
}

func TestAccessKeySecretIsAnsweredOnlyByThePutThatMadeIt(t *testing.T) {
	t.Parallel()
	ts, c, rec, st := newTestServerWithStore(t)
	ctx := context.Background()
	mustTenant(t, c)
	spec := model.AccessKeySpec{Description: "CI reads logs", Policy: readLogs}
	created, err := c.PutAccessKey(ctx, "acme", "ci", spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPair(t, "create", created, true)
	if last := rec.calls[len(rec.calls)-1]; last != "access-key/acme/ci" {
		t.Errorf("got notification %q, want access-key/acme/ci", last)
	}

	got, err := c.GetAccessKey(ctx, "acme", "ci")
	if err != nil {
		t.Fatal(err)
	}
	checkPair(t, "get", got, false)
	if got.Status.AccessKeyID != created.Status.AccessKeyID || got.Status.CreatedAt.IsZero() {
		t.Errorf("get: got %+v, want access key ID %s and a creation time", got.Status,
			created.Status.AccessKeyID)
	}
	list, err := c.ListAccessKeys(ctx, "acme")
	if err != nil || len(list) != 1 {
		t.Fatalf("list: got %v, %v; want the one key", list, err)
	}
	checkPair(t, "list", &list[0], false)

	again, err := c.PutAccessKey(ctx, "acme", "ci", spec, nil)
	if err != nil || again.Metadata.ETag != created.Metadata.ETag {
		t.Fatalf("the same PUT again: got %+v, %v; want it unchanged", again, err)
	}
	checkPair(t, "the same PUT again", again, false)
	spec.Description = "CI reads logs, nightly"
	described, err := c.PutAccessKey(ctx, "acme", "ci", spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPair(t, "a new description", described, false)

	checkStoredSecret(t, st, created.Status.SecretAccessKey)
	resp := do(t, ts, http.MethodDelete, "/v1/tenants/acme/access-keys/ci", "", nil)
	var deleted model.AccessKey
	if err := json.NewDecoder(resp.Body).Decode(&deleted); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || deleted.Metadata.DeleteTime == nil {
		t.Errorf("delete: got %d %+v, want 202 with deleteTime", resp.StatusCode, deleted)
	}
	checkPair(t, "delete", &deleted, false)
}

// checkStoredSecret checks that the store keeps the secret that the
// create answered, so that the reconciler can hand it to the nodes.
func checkStoredSecret(t *testing.T, st store.Store, want string) {
	t.Helper()
	a, _, err := registry.Get[model.AccessKey, model.AccessKeySpec](context.Background(), st,
		model.KindAccessKey, "acme/ci")
	if err != nil {
		t.Fatal(err)
	}
	if a.Status.SecretAccessKey != want {
		t.Errorf("stored secret: got %q, want %q, the one the PUT answered",
			a.Status.SecretAccessKey, want)
	}
}

func TestRaisingTheSecretVersionAnswersANewSecretOnce(t *testing.T) {
	t.Parallel()
	_, c, _, st := newTestServerWithStore(t)
	ctx := context.Background()
	mustTenant(t, c)
	spec := model.AccessKeySpec{Policy: readLogs}
	created, err := c.PutAccessKey(ctx, "acme", "ci", spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec.SecretVersion = 1
	rotated, err := c.PutAccessKey(ctx, "acme", "ci", spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPair(t, "rotation", rotated, true)
	if rotated.Status.SecretAccessKey == created.Status.SecretAccessKey ||
		rotated.Status.AccessKeyID != created.Status.AccessKeyID ||
		rotated.Status.RotatedAt.IsZero() {
		t.Errorf("rotation: got %+v, want a new secret, the same ID %s and a rotation time",
			rotated.Status, created.Status.AccessKeyID)
	}
	checkStoredSecret(t, st, rotated.Status.SecretAccessKey)
	again, err := c.PutAccessKey(ctx, "acme", "ci", spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPair(t, "the rotation sent again", again, false)

	spec.SecretVersion = 0
	_, err = c.PutAccessKey(ctx, "acme", "ci", spec, nil)
	checkViolation(t, err, http.StatusUnprocessableEntity, "spec.secretVersion", "go down")
}

func TestAccessKeyRefusals(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	policy := func(stmt string) string {
		b, _ := json.Marshal(`{"Version":"2012-10-17","Statement":[` + stmt + `]}`)
		return string(b)
	}
	body := func(fields string) string { return `{"spec":{` + fields + `}}` }
	const path = "/v1/tenants/acme/access-keys/ci"
	tests := []struct {
		name, path, body string
		want             int
		field, words     string
	}{
		{"an unknown action is refused at its place in the policy", path,
			body(`"policy":` + policy(`{"Effect":"Allow","Action":["s3:GetObject","s3:Fly"],`+
				`"Resource":"*"}`)), 422, "spec.policy", "Statement[0].Action[1]: unknown action"},
		{"a policy that names a principal is refused", path,
			body(`"policy":` + policy(`{"Effect":"Allow","Principal":"*",`+
				`"Action":"s3:GetObject","Resource":"*"}`)), 422, "spec.policy",
			"Statement[0]: an identity policy must not name a Principal"},
		{"a policy with no statement is refused", path, body(`"policy":` + policy(``)), 422,
			"spec.policy", "Statement"},
		{"a policy that is not JSON is invalid", path, body(`"policy":"allow all"`), 400,
			"spec.policy", "not a JSON object"},
		{"a missing policy is invalid", path, body(`"description":"ci"`), 400,
			"spec.policy", "is required"},
		{"a negative secret version is invalid", path,
			body(`"policy":` + policy(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`) +
				`,"secretVersion":-1`), 400, "spec.secretVersion", "negative"},
		{"a description over 256 characters is invalid", path,
			body(`"policy":"{}","description":"` + strings.Repeat("d", 257) + `"`), 400,
			"spec.description", "at most 256"},
		{"an access key name that is not a name is invalid", "/v1/tenants/acme/access-keys/CI",
			body(`"policy":"{}"`), 400, "metadata.name", "not a valid name"},
		{"an access key naming another tenant is invalid", path,
			body(`"policy":"{}","tenant":"other"`), 400, "spec.tenant", "differs"},
		{"an access key of a missing tenant is not found", "/v1/tenants/nope/access-keys/ci",
			body(`"policy":` + policy(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)),
			404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, http.MethodPut, tt.path, tt.body, nil)
			checkErrorAnswer(t, resp, tt.want, tt.field, tt.words)
		})
	}
}

func TestAccessKeysOfAMissingTenantAreNotFound(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := context.Background()
	if _, err := c.ListAccessKeys(ctx, "nope"); !client.IsNotFound(err) {
		t.Errorf("list: got %v, want 404", err)
	}
	if _, err := c.GetAccessKey(ctx, "nope", "ci"); !client.IsNotFound(err) {
		t.Errorf("get: got %v, want 404", err)
	}
}

func TestAccessKeySchemasNameExactlyTheModelFields(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	tests := []struct {
		schema string
		typ    reflect.Type
		output bool
	}{
		{"AccessKey", reflect.TypeFor[model.AccessKey](), true},
		{"AccessKeySpec", reflect.TypeFor[model.AccessKeySpec](), false},
		{"AccessKeyStatus", reflect.TypeFor[model.AccessKeyStatus](), true},
		{"AccessKeyPut", reflect.TypeFor[model.PutRequest[model.AccessKeySpec]](), false},
		{"AccessKeyList", reflect.TypeFor[model.List[model.AccessKey]](), true},
	}
	for _, tt := range tests {
		t.Run(tt.schema+" matches "+tt.typ.String(), func(t *testing.T) {
			t.Parallel()
			checkSchemaFields(t, schemaOf(t, doc, tt.schema), jsonFields(tt.typ), tt.output)
		})
	}
}
