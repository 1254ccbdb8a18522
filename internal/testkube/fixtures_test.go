package testkube_test

import (
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/pki"
)

// newCA returns a new CA made by the control plane's own package.
func newCA(t *testing.T, cn string) *pki.CA {
	t.Helper()
	ca, err := pki.NewCA(cn)
	if err != nil {
		t.Fatalf("making CA %s: %v", cn, err)
	}
	return ca
}

// serverCert returns a certificate for cn from a new CA and its key, both
// PEM.
func serverCert(t *testing.T, cn string) (certPEM, keyPEM []byte) {
	t.Helper()
	iss, err := newCA(t, "testkube test CA").IssueServer(cn, []string{cn}, time.Hour)
	if err != nil {
		t.Fatalf("issuing a certificate for %s: %v", cn, err)
	}
	return iss.CertPEM, iss.KeyPEM
}

// otherCA returns a CA certificate that signed nothing the server holds.
func otherCA(t *testing.T) []byte {
	t.Helper()
	return newCA(t, "not the cluster's CA").CertPEM
}
