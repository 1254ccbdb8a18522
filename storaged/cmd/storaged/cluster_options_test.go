package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nodePKI is a tenant CA on disk and a node certificate signed by it.
type nodePKI struct {
	caFile, certFile, keyFile string
}

// writeNodePKI writes a CA and a certificate for cn signed by it (server
// and client use) into a temporary folder.
func writeNodePKI(t *testing.T, cn string) nodePKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := nodePKI{caFile: filepath.Join(dir, "ca.pem"), certFile: filepath.Join(dir, "cert.pem"),
		keyFile: filepath.Join(dir, "key.pem")}
	writePEM(t, p.caFile, "CERTIFICATE", caDER)
	writePEM(t, p.certFile, "CERTIFICATE", der)
	writePEM(t, p.keyFile, "EC PRIVATE KEY", keyDER)
	return p
}

// writeTopologyFile writes validTopology to a temporary file.
func writeTopologyFile(t *testing.T) string {
	t.Helper()
	data, err := json.Marshal(validTopology())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "topology.json")
	writeFile(t, path, data)
	return path
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestParseOptionsReadsATopology(t *testing.T) {
	t.Parallel()
	pki := writeNodePKI(t, "node-1")
	args := []string{"--credentials-file", writeCredentials(t, 0o600, goodCredentials),
		"--tls-cert", pki.certFile, "--tls-key", pki.keyFile, "--tls-ca", pki.caFile,
		"--topology", writeTopologyFile(t), "--node-name", "node-1"}
	o, err := parseOptions(args, env{}.get, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if o.cluster == nil || o.parity != 4 || strings.Join(o.drives, ",") != "/n1/d0,/n1/d1" ||
		len(o.cluster.topology.sets) != 1 {
		t.Errorf("got parity %d drives %v cluster %+v; want parity 4, node-1's drives, one set",
			o.parity, o.drives, o.cluster)
	}
}

func TestParseOptionsRefusesBadClusters(t *testing.T) {
	t.Parallel()
	pki := writeNodePKI(t, "node-1")
	other := writeNodePKI(t, "node-1")
	creds := writeCredentials(t, 0o600, goodCredentials)
	topo := writeTopologyFile(t)
	node := func(extra ...string) []string {
		return append([]string{"--credentials-file", creds, "--tls-cert", pki.certFile,
			"--tls-key", pki.keyFile, "--topology", topo}, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a topology without a node name is refused", node("--tls-ca", pki.caFile),
			"--node-name is required"},
		{"a topology without the tenant CA is refused", node("--node-name", "node-1"),
			"--tls-ca is required"},
		{"a topology with drives is refused",
			node("--node-name", "node-1", "--tls-ca", pki.caFile, "--drive", "/a,/b"),
			"cannot be combined with --topology"},
		{"a topology with a parity is refused",
			node("--node-name", "node-1", "--tls-ca", pki.caFile, "--parity", "2"),
			"cannot be combined with --topology"},
		{"a node certificate for another node is refused",
			node("--node-name", "node-2", "--tls-ca", pki.caFile), `must be "node-2"`},
		{"a node certificate of another CA is refused",
			node("--node-name", "node-1", "--tls-ca", other.caFile), "signed by --tls-ca"},
		{"a node name without a topology is refused",
			[]string{"--credentials-file", creds, "--insecure-http", "--drive", "/a,/b",
				"--node-name", "node-1"}, "--node-name needs --topology"},
		{"a topology over plain HTTP is refused",
			[]string{"--credentials-file", creds, "--insecure-http", "--topology", topo,
				"--node-name", "node-1", "--tls-ca", pki.caFile}, "--insecure-http cannot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseOptions(tt.args, env{}.get, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
