package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/store"
)

// listCounter is a store that counts the token lists it serves.
type listCounter struct {
	store.Store
	tokenLists atomic.Int64
}

func (lc *listCounter) List(ctx context.Context, kind, prefix, after string,
	limit int) ([]store.Record, error) {
	if kind == model.KindToken {
		lc.tokenLists.Add(1)
	}
	return lc.Store.List(ctx, kind, prefix, after, limit)
}

// newCountingServer serves the API over a bbolt store wrapped in a
// listCounter.
func newCountingServer(t testing.TB) (*httptest.Server, *listCounter) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lc := &listCounter{Store: st}
	ts := httptest.NewServer(New(Config{Store: lc, Token: testToken, Notifier: &recorder{}}))
	t.Cleanup(ts.Close)
	return ts, lc
}

// createToken makes a token through the API and returns its secret.
func createToken(t testing.TB, ts *httptest.Server, name, role string) string {
	t.Helper()
	req, err := http.NewRequest("PUT", ts.URL+"/v1/tokens/"+name,
		strings.NewReader(`{"spec":{"role":"`+role+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok model.Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 201 {
		t.Fatalf("creating token %s: got %d, %v, want 201", name, resp.StatusCode, err)
	}
	return tok.Status.Secret
}

func TestAuthenticationDoesNotListTokens(t *testing.T) {
	t.Parallel()
	ts, lc := newCountingServer(t)
	var secrets []string
	for i := range 20 {
		secrets = append(secrets, createToken(t, ts, fmt.Sprintf("t%d", i), model.RoleReader))
	}
	before := lc.tokenLists.Load()
	for i, s := range secrets {
		if got := do(t, ts, "GET", "/v1/clusters", "", withToken(s)).StatusCode; got != 200 {
			t.Fatalf("token t%d: got %d, want 200", i, got)
		}
	}
	if got := lc.tokenLists.Load() - before; got > 1 {
		t.Errorf("20 authenticated requests listed the tokens %d times, want at most 1", got)
	}
}

func TestADeletedTokenLeavesNoIndexRecord(t *testing.T) {
	t.Parallel()
	ts, lc := newCountingServer(t)
	secret := createToken(t, ts, "short-lived", model.RoleAdmin)
	ctx := context.Background()
	if _, err := lc.Get(ctx, tokenIndexKind, indexName(hashSecret(secret))); err != nil {
		t.Fatalf("the new token's index record: got %v, want it stored", err)
	}
	if got := do(t, ts, "DELETE", "/v1/tokens/short-lived", "", nil).StatusCode; got != 204 {
		t.Fatalf("deleting the token: got %d, want 204", got)
	}
	_, err := lc.Get(ctx, tokenIndexKind, indexName(hashSecret(secret)))
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the index record after the delete: got %v, want ErrNotFound", err)
	}
	if got := do(t, ts, "GET", "/v1/clusters", "", withToken(secret)).StatusCode; got != 401 {
		t.Errorf("the deleted token: got %d, want 401", got)
	}
}

func TestATokenStoredBeforeTheIndexStillAuthenticates(t *testing.T) {
	t.Parallel()
	ts, lc := newCountingServer(t)
	secret, prefix := newSecret()
	rec := tokenRecord{Metadata: model.Metadata{Name: "old", Generation: 1},
		Role: model.RoleReader, Prefix: prefix, Hash: hashSecret(secret)}
	b, err := json.Marshal(&rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Put(context.Background(), model.KindToken, "old", b,
		store.MustNotExist); err != nil {
		t.Fatal(err)
	}
	if got := do(t, ts, "GET", "/v1/clusters", "", withToken(secret)).StatusCode; got != 200 {
		t.Errorf("a token without an index record: got %d, want 200", got)
	}
	wrong, _ := newSecret()
	if got := do(t, ts, "GET", "/v1/clusters", "", withToken(wrong)).StatusCode; got != 401 {
		t.Errorf("an unknown secret: got %d, want 401", got)
	}
}

// BenchmarkLookupToken authenticates with one of 1000 API tokens.
func BenchmarkLookupToken(b *testing.B) {
	ts, _ := newCountingServer(b)
	var last string
	for i := range 1000 {
		last = createToken(b, ts, fmt.Sprintf("t%d", i), model.RoleReader)
	}
	srv := ts.Config.Handler.(*Server)
	ctx := context.Background()
	if err := srv.indexTokens(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok, err := srv.lookupToken(ctx, last); !ok || err != nil {
			b.Fatalf("got %v, %v, want the token", ok, err)
		}
	}
}
