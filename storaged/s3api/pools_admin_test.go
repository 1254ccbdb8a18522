package s3api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fakePools reports a pool in service and one being drained.
type fakePools struct{}

func (fakePools) PoolStatus(context.Context) []PoolStatus {
	at := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)
	return []PoolStatus{
		{Name: "pool-0", ID: "k3j9q2zp", Sets: 1, Drives: 4, TotalBytes: 1234, FreeBytes: 1000},
		{Name: "pool-2", ID: "q0p9w8e7", Sets: 1, Drives: 4, TotalBytes: 1234, FreeBytes: 1200,
			Decommission: &DecommissionStatus{State: "draining", Runner: "pool-0-0",
				StartedAt: &at, ObjectsMoved: 12, BytesMoved: 4096, ObjectsLeft: 3}},
	}
}

func TestPoolsEndpointAnswersTheContract(t *testing.T) {
	t.Parallel()
	a, _ := newTestAdmin(t)
	a.pools = fakePools{}
	cases := []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"an unsigned request is refused", unsignedRequest(http.MethodGet,
			"/strata/admin/pools", nil, nil), http.StatusForbidden},
		{"another method is refused", signedRequest(t, http.MethodPost,
			"/strata/admin/pools", nil, signOptions{}), http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		if w := do(a, tc.req); w.Code != tc.status {
			t.Errorf("%s: got status %d, want %d", tc.name, w.Code, tc.status)
		}
	}
	w := do(a, signedRequest(t, http.MethodGet, "/strata/admin/pools", nil, signOptions{}))
	want := `{"pools":[{"name":"pool-0","id":"k3j9q2zp","sets":1,"drives":4,` +
		`"totalBytes":1234,"freeBytes":1000,"decommission":null},` +
		`{"name":"pool-2","id":"q0p9w8e7","sets":1,"drives":4,"totalBytes":1234,` +
		`"freeBytes":1200,"decommission":{"state":"draining","runner":"pool-0-0",` +
		`"startedAt":"2026-12-04T21:00:00Z","objectsMoved":12,"bytesMoved":4096,` +
		`"objectsLeft":3,"uploadsLeft":0,"failed":[]}}]}`
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != want {
		t.Errorf("got %d %s\nwant 200 %s", w.Code, got, want)
	}
	var st PoolsStatus
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil || len(st.Pools) != 2 {
		t.Errorf("decoding: %v, %+v", err, st)
	}

	a.pools = nil
	w = do(a, signedRequest(t, http.MethodGet, "/strata/admin/pools", nil, signOptions{}))
	if w.Code != http.StatusNotImplemented {
		t.Errorf("without pools: got status %d, want 501", w.Code)
	}
}
