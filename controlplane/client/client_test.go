package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentReadsReuseConnections holds the client against an
// HTTP/1.1 server that counts the connections it accepts: rounds of
// concurrent GETs, as Terraform's 10 parallel reads send, must not open a
// connection per request.
func TestConcurrentReadsReuseConnections(t *testing.T) {
	t.Parallel()
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter,
		_ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"metadata":{"name":"c"}}`))
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	c, err := New(Config{Endpoint: ts.URL, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	const parallel, rounds = 10, 20
	for range rounds {
		var wg sync.WaitGroup
		for i := range parallel {
			wg.Go(func() {
				if _, err := c.GetCluster(context.Background(), fmt.Sprint("c", i)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if got := conns.Load(); got > 2*parallel {
		t.Errorf("%d rounds of %d concurrent GETs opened %d connections, want at most %d",
			rounds, parallel, got, 2*parallel)
	}
}
