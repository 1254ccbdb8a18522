package testkube

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/pki"
)

// files are what the server's TLS and service accounts are made of,
// written as PEM files into a directory of the test.
type files struct {
	caPEM     []byte // the CA that signed the serving certificate
	certFile  string // the serving certificate, for 127.0.0.1 and localhost
	keyFile   string // its private key
	saKeyFile string // the key that signs service account tokens
	saPubFile string // its public key, which verifies them
}

// validity is how long the serving certificate is valid.
const validity = 24 * time.Hour

// newFiles makes a CA and a serving certificate signed by it with the
// control plane's own package, and a service account signing key, and
// writes them into dir.
func newFiles(t testing.TB, dir string) files {
	t.Helper()
	f := files{
		certFile:  filepath.Join(dir, "serving.crt"),
		keyFile:   filepath.Join(dir, "serving.key"),
		saKeyFile: filepath.Join(dir, "service-account.key"),
		saPubFile: filepath.Join(dir, "service-account.pub"),
	}
	ca, err := pki.NewCA("testkube CA")
	if err != nil {
		t.Fatalf("making the test CA: %v", err)
	}
	f.caPEM = ca.CertPEM
	serving, err := ca.IssueServer("kube-apiserver", []string{"127.0.0.1", "10.0.0.1",
		"localhost", "kubernetes", "kubernetes.default"}, validity)
	if err != nil {
		t.Fatalf("issuing the serving certificate: %v", err)
	}
	writeFile(t, f.certFile, serving.CertPEM)
	writeFile(t, f.keyFile, serving.KeyPEM)

	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating the service account key: %v", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(saKey)
	if err != nil {
		t.Fatalf("encoding the service account key: %v", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		t.Fatalf("encoding the service account public key: %v", err)
	}
	writeFile(t, f.saKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}))
	writeFile(t, f.saPubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return f
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}
