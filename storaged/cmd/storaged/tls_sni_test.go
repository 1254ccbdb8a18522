package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"
)

// handshakeLeaf runs a TLS handshake against a server that picks its
// certificate with certs.get, sending serverName as SNI, and returns the
// common name of the certificate the server showed.
func handshakeLeaf(t *testing.T, certs *certReloader, serverName string) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: certs.get,
		MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{ServerName: serverName,
		InsecureSkipVerify: true, //nolint:gosec // test reads the leaf
		MinVersion:         tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
}

func TestCertificatesArePickedByServerName(t *testing.T) {
	t.Parallel()
	endpoint := writeNodePKI(t, "s3.example.test")
	node := writeNodePKI(t, "node-1")
	certs, err := newCertReloader(certFiles{cert: endpoint.certFile, key: endpoint.keyFile,
		rpcCert: node.certFile, rpcKey: node.keyFile, ca: node.caFile,
		nodes: []string{"node-1", "node-2"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, serverName, want string
	}{
		{"a client that sends no name gets the endpoint's certificate", "", "s3.example.test"},
		{"a client that names another host gets the endpoint's certificate", "localhost",
			"s3.example.test"},
		{"a client that names this node gets the node certificate", "node-1", "node-1"},
		{"a client that names another node of the topology gets the node certificate",
			"node-2", "node-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := handshakeLeaf(t, certs, tt.serverName); got != tt.want {
				t.Errorf("got a certificate for %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReloadSwapsTheCABundle(t *testing.T) {
	t.Parallel()
	first := writeNodePKI(t, "node-1")
	second := writeNodePKI(t, "node-1")
	certs, err := newCertReloader(certFiles{cert: first.certFile, key: first.keyFile,
		rpcCert: first.certFile, rpcKey: first.keyFile, ca: first.caFile})
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(p nodePKI) *x509.Certificate {
		pair, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
		if err != nil {
			t.Fatal(err)
		}
		return pair.Leaf
	}
	trusts := func(p nodePKI) bool {
		_, err := leaf(p).Verify(x509.VerifyOptions{Roots: certs.roots()})
		return err == nil
	}
	if !trusts(first) || trusts(second) {
		t.Fatalf("before the reload: got trusts first %v, second %v; want true, false",
			trusts(first), trusts(second))
	}
	a, _ := os.ReadFile(first.caFile)
	b, _ := os.ReadFile(second.caFile)
	writeFile(t, first.caFile, append(a, b...)) // the bundle during a rotation
	if err := certs.load(); err != nil {
		t.Fatal(err)
	}
	if !trusts(first) || !trusts(second) {
		t.Errorf("after the reload: got trusts first %v, second %v; want both",
			trusts(first), trusts(second))
	}
}

func TestParseOptionsTakesANodeCertificateBesideTheEndpoints(t *testing.T) {
	t.Parallel()
	endpoint := writeNodePKI(t, "s3.example.test")
	node := writeNodePKI(t, "node-1")
	creds := writeCredentials(t, 0o600, goodCredentials)
	topo := writeTopologyFile(t)
	args := func(extra ...string) []string {
		return append([]string{"--credentials-file", creds, "--tls-cert", endpoint.certFile,
			"--tls-key", endpoint.keyFile, "--topology", topo, "--node-name", "node-1",
			"--tls-ca", node.caFile}, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string // "" for no error
	}{
		{"a node certificate of the tenant CA beside another endpoint certificate is valid",
			args("--rpc-tls-cert", node.certFile, "--rpc-tls-key", node.keyFile), ""},
		{"without it the endpoint's certificate must be the node's",
			args(), "signed by --tls-ca"},
		{"a node certificate without its key is refused",
			args("--rpc-tls-cert", node.certFile), "go together"},
		{"an unreadable node certificate is refused",
			args("--rpc-tls-cert", node.certFile+".gone", "--rpc-tls-key", node.keyFile),
			"--rpc-tls-cert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseOptions(tt.args, env{}.get, &bytes.Buffer{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.want == "" && (o.rpcTLSCert != node.certFile || o.tlsCert != endpoint.certFile):
				t.Errorf("got node cert %q and endpoint cert %q, want %q and %q",
					o.rpcTLSCert, o.tlsCert, node.certFile, endpoint.certFile)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
