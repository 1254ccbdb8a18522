package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

func TestIfNoneMatchMakesAPutCreateOnly(t *testing.T) {
	t.Parallel()
	ts, _, _ := newTestServer(t)
	body := `{"spec":{"kind":"local"}}`
	steps := []struct {
		name   string
		header string
		want   int
	}{
		{"a create-only PUT of a new item creates it", "*", http.StatusCreated},
		{"a create-only PUT of an existing item is refused", "*", http.StatusPreconditionFailed},
		{"a PUT without the header still updates", "", http.StatusOK},
		{"If-None-Match other than * is refused", `"etag"`, http.StatusBadRequest},
	}
	for _, s := range steps {
		resp := do(t, ts, http.MethodPut, "/v1/clusters/once", body,
			map[string]string{"If-None-Match": s.header})
		if resp.StatusCode != s.want {
			t.Errorf("%s: got %d, want %d", s.name, resp.StatusCode, s.want)
		}
	}
}

func TestConcurrentCreateOnlyPutsCreateOnce(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	ctx := client.CreateOnly(context.Background())
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			_, errs[i] = c.PutCluster(ctx, "race", model.ClusterSpec{Kind: model.ClusterLocal},
				map[string]string{"writer": string(rune('a' + i))})
		})
	}
	wg.Wait()
	created, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case client.IsAlreadyExists(err):
			refused++
		default:
			t.Errorf("got %v, want success or already exists", err)
		}
	}
	if created != 1 || refused != writers-1 {
		t.Errorf("got %d created and %d refused, want 1 and %d", created, refused, writers-1)
	}
}

func TestLabelsBeyondTheLimitsAreRefused(t *testing.T) {
	t.Parallel()
	ts, _, _ := newTestServer(t)
	body := `{"metadata":{"labels":{"k":"` + strings.Repeat("v", 300) + `"}},` +
		`"spec":{"kind":"local"}}`
	resp := do(t, ts, http.MethodPut, "/v1/clusters/labelled", body, nil)
	var eb model.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || !hasViolation(eb, `metadata.labels["k"]`) {
		t.Errorf("got %d %+v, want 400 naming the label", resp.StatusCode, eb.Error)
	}
}
