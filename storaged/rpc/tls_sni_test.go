package rpc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// sniServer serves h with certificates chosen by SNI: the node's own for
// its node name, and other for any other name; it records the names
// asked for.
type sniServer struct {
	mu    sync.Mutex
	names []string
}

func (s *sniServer) start(t *testing.T, h http.Handler, node, other tls.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{
		ClientAuth: tls.RequestClientCert,
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			s.mu.Lock()
			s.names = append(s.names, hello.ServerName)
			s.mu.Unlock()
			if hello.ServerName == "node-b" {
				return &node, nil
			}
			return &other, nil
		},
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPeerAsksForTheNodeCertificateByName(t *testing.T) {
	t.Parallel()
	ca, endpointCA := newTestCA(t), newTestCA(t)
	h, err := NewHandler(HandlerConfig{ClientCAs: ca.pool, Nodes: testNodes})
	if err != nil {
		t.Fatal(err)
	}
	var s sniServer
	url := s.start(t, h, ca.issue(t, "node-b"), endpointCA.issue(t, "s3.example.test"))
	p := newTestPeer(t, ca, "node-b", url, ca.issue(t, "node-a"))
	if err := p.Ping(context.Background()); err != nil {
		t.Fatalf("ping through a server that also serves another certificate: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.names) == 0 || s.names[0] != "node-b" {
		t.Errorf("got server names %q, want node-b", s.names)
	}
}

func TestPeerRefusesANodeNameSignedByAnotherCA(t *testing.T) {
	t.Parallel()
	ca, other := newTestCA(t), newTestCA(t)
	h, err := NewHandler(HandlerConfig{ClientCAs: ca.pool, Nodes: testNodes})
	if err != nil {
		t.Fatal(err)
	}
	var s sniServer
	url := s.start(t, h, other.issue(t, "node-b"), other.issue(t, "node-b"))
	p := newTestPeer(t, ca, "node-b", url, ca.issue(t, "node-a"))
	if err := p.Ping(context.Background()); !errors.Is(err, ErrNotANode) {
		t.Errorf("got %v, want ErrNotANode", err)
	}
}

func TestRootsFromAFunctionAreReadAtEachHandshake(t *testing.T) {
	t.Parallel()
	ca, next := newTestCA(t), newTestCA(t)
	var mu sync.Mutex
	roots := ca.pool
	get := func() *x509.CertPool {
		mu.Lock()
		defer mu.Unlock()
		return roots
	}
	h, err := NewHandler(HandlerConfig{GetClientCAs: get, Nodes: testNodes})
	if err != nil {
		t.Fatal(err)
	}
	var s sniServer
	url := s.start(t, h, next.issue(t, "node-b"), next.issue(t, "node-b"))
	cert := next.issue(t, "node-a")
	p, err := NewPeer(PeerConfig{Node: "node-b", Endpoint: url, GetRootCAs: get,
		RetryInterval: 10 * time.Millisecond,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &cert, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if err := p.Ping(context.Background()); !errors.Is(err, ErrNotANode) {
		t.Fatalf("before the bundle holds the new CA: got %v, want ErrNotANode", err)
	}
	both := ca.pool.Clone()
	both.AddCert(next.cert)
	mu.Lock()
	roots = both
	mu.Unlock()
	time.Sleep(50 * time.Millisecond) // past the retry interval of the failed peer
	if err := p.Ping(context.Background()); err != nil {
		t.Errorf("after the bundle holds both CAs: got %v, want none", err)
	}
}
