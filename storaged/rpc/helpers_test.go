package rpc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
)

// testCA is a throwaway certificate authority.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test tenant CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue returns a certificate for a node, usable by servers and clients,
// valid for the loopback addresses and the extra DNS names.
func (ca *testCA) issue(t *testing.T, cn string, dns ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     append([]string{"localhost"}, dns...),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// testNodes are the node names every test tenant has.
var testNodes = []string{"node-a", "node-b", "node-c"}

// fixture is a node ("node-b") serving one local drive, and a peer for it
// as seen from "node-a".
type fixture struct {
	ca     *testCA
	server *httptest.Server
	local  *drive.Local
	peer   *Peer
	remote *RemoteDrive
}

const testDriveID = "set-1/0"

// newFixture starts node-b with one fresh local drive on loopback TLS.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ca := newTestCA(t)
	local, err := drive.Open(filepath.Join(t.TempDir(), "d0"), drive.Identity{SetID: "set-1"})
	if err != nil {
		t.Fatal(err)
	}
	srv := startNode(t, ca, "node-b", map[string]erasure.Drive{testDriveID: local})
	f := &fixture{ca: ca, server: srv, local: local}
	f.peer = newTestPeer(t, ca, "node-b", srv.URL, ca.issue(t, "node-a"))
	f.remote = f.peer.Drive(testDriveID)
	return f
}

// startNode serves drives as node name, asking for client certificates
// the way storaged does.
func startNode(t *testing.T, ca *testCA, name string,
	drives map[string]erasure.Drive) *httptest.Server {
	t.Helper()
	return startNodeWith(t, ca, name, HandlerConfig{Drives: drives})
}

// startNodeWith serves cfg as node name; it fills in the CA and nodes.
func startNodeWith(t *testing.T, ca *testCA, name string, cfg HandlerConfig) *httptest.Server {
	t.Helper()
	cfg.ClientCAs, cfg.Nodes = ca.pool, testNodes
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{ca.issue(t, name)},
		ClientAuth:   tls.RequestClientCert,
		MinVersion:   tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// newTestPeer returns a peer for node at endpoint that presents cert.
func newTestPeer(t *testing.T, ca *testCA, node, endpoint string, cert tls.Certificate) *Peer {
	t.Helper()
	p, err := NewPeer(PeerConfig{
		Node:     node,
		Endpoint: endpoint,
		RootCAs:  ca.pool,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &cert, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// rawClient returns an HTTP client that trusts ca and presents certs.
func rawClient(ca *testCA, certs ...tls.Certificate) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs:      ca.pool,
		Certificates: certs,
		MinVersion:   tls.VersionTLS12,
	}}}
}
