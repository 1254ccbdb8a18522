package rpc

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
)

// TestHandlerRefusesCallersThatAreNotNodes sends requests with various
// client certificates and checks who gets through.
func TestHandlerRefusesCallersThatAreNotNodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := newTestCA(t)
	tests := []struct {
		name   string
		client *http.Client
		want   int
	}{
		{
			"a node of the tenant is let in",
			rawClient(f.ca, f.ca.issue(t, "node-a")),
			http.StatusNoContent,
		},
		{
			"a node named in a DNS name only is let in",
			rawClient(f.ca, dnsOnly(t, f.ca, "node-b")),
			http.StatusNoContent,
		},
		{"a caller without a certificate is refused", rawClient(f.ca), http.StatusForbidden},
		{
			"a certificate of another CA is refused",
			rawClient(f.ca, other.issue(t, "node-a")),
			http.StatusForbidden,
		},
		{
			"a certificate of the CA for no node is refused",
			rawClient(f.ca, f.ca.issue(t, "intruder")),
			http.StatusForbidden,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := tt.client.Get(f.server.URL + PathPrefix + opPing)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want != http.StatusForbidden {
				return
			}
			var body errorBody
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil ||
				body.Code != codeForbidden {
				t.Errorf("got body %+v, %v; want code %s", body, err, codeForbidden)
			}
		})
	}
}

// dnsOnly issues a certificate whose common name is no node but whose DNS
// names include node.
func dnsOnly(t *testing.T, ca *testCA, node string) tls.Certificate {
	t.Helper()
	return ca.issue(t, "some host", node)
}

// TestRefusedPeerIsOfflineToTheErasureLayer checks that a peer that refuses
// this node's certificate makes its drives offline, not some other error.
func TestRefusedPeerIsOfflineToTheErasureLayer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	stranger := newTestPeer(t, f.ca, "node-b", f.server.URL, newTestCA(t).issue(t, "node-a"))
	err := stranger.Drive(testDriveID).MakeVolume(context.Background(), "v")
	if !errors.Is(err, drive.ErrDriveOffline) {
		t.Errorf("got %v, want an error wrapping ErrDriveOffline", err)
	}
}

// TestClientRefusesAServerThatIsNotThePeer points a peer for node-a at a
// server whose certificate names node-b.
func TestClientRefusesAServerThatIsNotThePeer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wrong := newTestPeer(t, f.ca, "node-a", f.server.URL, f.ca.issue(t, "node-a"))
	err := wrong.Ping(context.Background())
	if !errors.Is(err, drive.ErrDriveOffline) || !errors.Is(err, ErrNotANode) {
		t.Errorf("got %v, want an offline error that says the server is not the node", err)
	}
}

// TestNewHandlerRefusesIncompleteConfigs checks the required fields.
func TestNewHandlerRefusesIncompleteConfigs(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	tests := []struct {
		name string
		cfg  HandlerConfig
	}{
		{"no CA", HandlerConfig{Nodes: testNodes}},
		{"no nodes", HandlerConfig{ClientCAs: ca.pool}},
		{"a nil drive", HandlerConfig{ClientCAs: ca.pool, Nodes: testNodes,
			Drives: map[string]erasure.Drive{"x": nil}}},
	}
	for _, tt := range tests {
		t.Run("a handler with "+tt.name+" is refused", func(t *testing.T) {
			if _, err := NewHandler(tt.cfg); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}
