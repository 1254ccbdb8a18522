package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
)

// mustToken creates a token through the admin client and returns its
// secret.
func mustToken(t *testing.T, c *client.Client, name, role string) string {
	t.Helper()
	tok, err := c.PutToken(context.Background(), name, model.TokenSpec{Role: role}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Status.Secret == "" {
		t.Fatalf("creating token %s: got no secret, want one", name)
	}
	return tok.Status.Secret
}

// withToken is a request header that sends secret instead of the admin token.
func withToken(secret string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + secret}
}

func TestTokenRolesDecideWhatARequestMayDo(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	reader := mustToken(t, c, "ci-reader", model.RoleReader)
	admin := mustToken(t, c, "ops", model.RoleAdmin)
	tests := []struct {
		name, secret, method, path, body string
		want                             int
	}{
		{"a reader reads a tenant", reader, "GET", "/v1/tenants/acme", "", 200},
		{"a reader lists clusters", reader, "GET", "/v1/clusters", "", 200},
		{"a reader reads the document", reader, "GET", "/v1/openapi.json", "", 200},
		{
			"a reader may not PUT",
			reader,
			"PUT",
			"/v1/clusters/other",
			`{"spec":{"kind":"local"}}`,
			403,
		},
		{"a reader may not DELETE", reader, "DELETE", "/v1/tenants/acme", "", 403},
		{"a reader may not list tokens", reader, "GET", "/v1/tokens", "", 403},
		{"a reader may not read a token", reader, "GET", "/v1/tokens/ops", "", 403},
		{
			"a reader may not create a token",
			reader,
			"PUT",
			"/v1/tokens/x",
			`{"spec":{"role":"reader"}}`,
			403,
		},
		{"a reader may not revoke a token", reader, "DELETE", "/v1/tokens/ops", "", 403},
		{"a reader on an unknown path gets 404", reader, "PUT", "/v1/nothing", "", 404},
		{
			"a made admin may PUT",
			admin,
			"PUT",
			"/v1/clusters/other",
			`{"spec":{"kind":"local"}}`,
			201,
		},
		{"a made admin lists tokens", admin, "GET", "/v1/tokens", "", 200},
		{
			"a made admin may create a token",
			admin,
			"PUT",
			"/v1/tokens/y",
			`{"spec":{"role":"reader"}}`,
			201,
		},
		{"an unknown token is 401", "strata_nosuchtoken", "GET", "/v1/clusters", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, tt.method, tt.path, tt.body, withToken(tt.secret))
			if resp.StatusCode != tt.want {
				b, _ := io.ReadAll(resp.Body)
				t.Errorf("got %d %s, want %d", resp.StatusCode, b, tt.want)
			}
		})
	}
}

func TestARevokedTokenIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	secret := mustToken(t, c, "gone", model.RoleReader)
	if got := do(t, ts, "GET", "/v1/clusters", "", withToken(secret)).StatusCode; got != 200 {
		t.Fatalf("before revoking: got %d, want 200", got)
	}
	if err := c.DeleteToken(context.Background(), "gone"); err != nil {
		t.Fatal(err)
	}
	if got := do(t, ts, "GET", "/v1/clusters", "", withToken(secret)).StatusCode; got != 401 {
		t.Errorf("after revoking: got %d, want 401", got)
	}
	_, err := c.GetToken(context.Background(), "gone")
	if !client.IsNotFound(err) {
		t.Errorf("reading the revoked token: got %v, want 404", err)
	}
}

func TestTheSecretIsAnsweredOnlyByTheCreatingPut(t *testing.T) {
	t.Parallel()
	ts, c, _, st := newTestServerWithStore(t)
	secret := mustToken(t, c, "deploy", model.RoleAdmin)
	if !strings.HasPrefix(secret, "strata_") || len(secret) != len("strata_")+43 {
		t.Errorf("got secret of %d characters, want strata_ and 43 more", len(secret))
	}
	body := `{"spec":{"role":"admin"}}`
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/v1/tokens/deploy", ""},
		{"GET", "/v1/tokens", ""},
		{"PUT", "/v1/tokens/deploy", body},
	} {
		resp := do(t, ts, r.method, r.path, r.body, nil)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || strings.Contains(string(b), secret) ||
			!strings.Contains(string(b), secret[:len("strata_")+6]) {
			t.Errorf("%s %s: got %d %s, want 200 with the prefix and without the secret",
				r.method, r.path, resp.StatusCode, b)
		}
	}
	rec, err := st.Get(context.Background(), model.KindToken, "deploy")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rec.Value, []byte(secret)) || bytes.Contains(rec.Value, []byte(secret[7:])) {
		t.Errorf("the stored record holds the secret: %s", rec.Value)
	}
}

func TestAPutWithAnotherSpecIsAConflict(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := context.Background()
	mustToken(t, c, "ci", model.RoleReader)
	_, err := c.PutToken(ctx, "ci", model.TokenSpec{Role: model.RoleAdmin}, nil)
	var ae *client.APIError
	if !asAPIError(err, &ae) || ae.StatusCode != 409 || ae.Status != model.ErrAlreadyExists ||
		!strings.Contains(ae.Message, "delete it and create it again") {
		t.Errorf("other role: got %v, want 409 ALREADY_EXISTS saying delete and create again", err)
	}
	_, err = c.PutToken(ctx, "ci", model.TokenSpec{Role: model.RoleReader},
		map[string]string{"team": "x"})
	if client.StatusCode(err) != 409 {
		t.Errorf("other labels: got %v, want 409", err)
	}
	_, err = c.PutToken(ctx, "bad", model.TokenSpec{Role: "root"}, nil)
	if !asAPIError(err, &ae) || ae.StatusCode != 400 || len(ae.Violations) != 1 ||
		ae.Violations[0].Field != "spec.role" {
		t.Errorf("unknown role: got %v, want 400 naming spec.role", err)
	}
}

func TestConcurrentCreatesOfOneNameMakeOneToken(t *testing.T) {
	t.Parallel()
	ts, c, _, st := newTestServerWithStore(t)
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	secrets := make([]string, n)
	for i := range n {
		wg.Go(func() {
			tok, code := putTokenRaw(t, ts, "race")
			codes[i], secrets[i] = code, tok
		})
	}
	wg.Wait()
	created, withSecret := 0, 0
	for i := range n {
		if codes[i] == http.StatusCreated {
			created++
		} else if codes[i] != http.StatusOK {
			t.Errorf("PUT %d: got %d, want 200 or 201", i, codes[i])
		}
		if secrets[i] != "" {
			withSecret++
		}
	}
	if created != 1 || withSecret != 1 {
		t.Errorf("got %d created and %d secrets, want 1 and 1", created, withSecret)
	}
	recs, err := st.List(context.Background(), model.KindToken, "", "", 0)
	if err != nil || len(recs) != 1 {
		t.Errorf("stored: got %d records (%v), want 1", len(recs), err)
	}
	list, err := c.ListTokens(context.Background())
	if err != nil || len(list) != 1 || list[0].Spec.Role != model.RoleReader {
		t.Errorf("list: got %+v (%v), want one reader token", list, err)
	}
}

// putTokenRaw creates a reader token over plain HTTP, for use from several
// goroutines, and returns its secret (if answered) and status.
func putTokenRaw(t *testing.T, ts *httptest.Server, name string) (string, int) {
	req, err := http.NewRequest("PUT", ts.URL+"/v1/tokens/"+name,
		strings.NewReader(`{"spec":{"role":"reader"}}`))
	if err != nil {
		t.Error(err)
		return "", 0
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Error(err)
		return "", 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_, rest, ok := strings.Cut(string(b), `"secret": "`)
	if !ok {
		return "", resp.StatusCode
	}
	secret, _, _ := strings.Cut(rest, `"`)
	return secret, resp.StatusCode
}

func TestAReaderDoesNotSeeATenantsRootKeys(t *testing.T) {
	t.Parallel()
	ts, c, _, st := newTestServerWithStore(t)
	mustTenant(t, c)
	ctx := context.Background()
	tn, rev, err := registry.Get[model.Tenant, model.TenantSpec](ctx, st, model.KindTenant, "acme")
	if err != nil {
		t.Fatal(err)
	}
	tn.Status.RootCredentials = &model.Credentials{AccessKeyID: "AKIDROOT",
		SecretAccessKey: "root-secret"}
	if _, err := registry.Put(ctx, st, model.KindTenant, "acme", tn, rev); err != nil {
		t.Fatal(err)
	}
	reader := mustToken(t, c, "looker", model.RoleReader)
	tests := []struct {
		name, secret, path string
		wantSecret         bool
	}{
		{"an admin reads the root keys", "", "/v1/tenants/acme", true},
		{"a reader's GET leaves them out", reader, "/v1/tenants/acme", false},
		{"a reader's list leaves them out", reader, "/v1/tenants", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := map[string]string{}
			if tt.secret != "" {
				header = withToken(tt.secret)
			}
			resp := do(t, ts, "GET", tt.path, "", header)
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 ||
				strings.Contains(string(b), "root-secret") != tt.wantSecret {
				t.Errorf("got %d %s, want 200 with the secret: %v", resp.StatusCode, b,
					tt.wantSecret)
			}
		})
	}
}
