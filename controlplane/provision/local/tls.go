package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/internal/atomicfile"
)

// Defaults of the tenant CA's rotation unless Config says otherwise.
const (
	DefaultCALifetime    = pki.CALifetime
	DefaultCARenewBefore = 365 * 24 * time.Hour
)

// Files of a node that serves a provided certificate on its S3 endpoint:
// copies of the user's files or Secret, which the control plane replaces
// (and sends SIGHUP) when their content changes.
const (
	endpointCertFile = "endpoint-cert.pem"
	endpointKeyFile  = "endpoint-key.pem"
)

// localHosts are the names a local tenant's endpoint answers to.
func localHosts() []string { return []string{"127.0.0.1", "localhost"} }

// tenantCA loads the tenant's CA and takes the next step of its rotation.
// reload is true when the CA bundle changed, so that the nodes must load
// it again.
func (p *Provisioner) tenantCA(dir, tenant string) (ca *pki.CA, reload bool, err error) {
	ca, step, err := pki.Rotate(dir, pki.Rotation{
		CommonName:  "Strata tenant " + tenant + " CA",
		Lifetime:    p.cfg.CALifetime,
		RenewBefore: p.cfg.CARenewBefore,
	}, time.Now())
	if err != nil {
		return nil, false, fmt.Errorf("tenant CA: %w", err)
	}
	if step != pki.RotationNone {
		p.cfg.Logger.Info("tenant CA rotation", "tenant", tenant, "step", step.String(),
			"ca_expiry", ca.Cert.NotAfter)
	}
	return ca, step != pki.RotationNone, nil
}

// providedCert reads and checks the tenant's provided certificate, from
// its files or its Secret, or returns nil when the tenant uses its
// internal CA. When it cannot, the nodes keep the copy they serve.
func providedCert(ctx context.Context, t *model.Tenant,
	secrets model.SecretReader) (*model.ProvidedCert, error) {
	if !t.Spec.TLS.Provided() {
		return nil, nil
	}
	var v model.Violations
	pc := model.ValidateProvidedTLS(ctx, &v, "spec.tls", t.Spec.TLS, localHosts(), secrets)
	if len(v) > 0 {
		return nil, fmt.Errorf("provided certificate: %w", v)
	}
	return pc, nil
}

// ensureEndpointCert copies the provided certificate into the node's
// directory when the copy differs from it (by content hash) and reports
// whether it did, so that a running node is told to reload.
func (n *node) ensureEndpointCert(pc *model.ProvidedCert) (bool, error) {
	certPath := filepath.Join(n.dir, endpointCertFile)
	keyPath := filepath.Join(n.dir, endpointKeyFile)
	if sameContent(certPath, pc.CertPEM) && sameContent(keyPath, pc.KeyPEM) {
		return false, nil
	}
	if err := atomicfile.Write(keyPath, pc.KeyPEM, 0o600); err != nil {
		return false, err
	}
	return true, atomicfile.Write(certPath, pc.CertPEM, 0o644)
}

// sameContent reports whether the file at path holds want, comparing
// SHA-256 hashes.
func sameContent(path string, want []byte) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	got, exp := sha256.Sum256(b), sha256.Sum256(want)
	return bytes.Equal(got[:], exp[:])
}

// tlsArgs are storaged's certificate flags: the node certificate for
// everything, or, with a provided certificate, that one for S3 clients and
// the node certificate for the drive RPC and the control plane's probes.
func (n *node) tlsArgs() []string {
	cert, key := filepath.Join(n.dir, "cert.pem"), filepath.Join(n.dir, "key.pem")
	if !n.provided {
		return []string{"--tls-cert", cert, "--tls-key", key}
	}
	return []string{
		"--tls-cert", filepath.Join(n.dir, endpointCertFile),
		"--tls-key", filepath.Join(n.dir, endpointKeyFile),
		"--rpc-tls-cert", cert, "--rpc-tls-key", key,
	}
}

// trustPool returns a pool of the CA's bundle: the active CA and, while it
// rotates, the staged or the old one.
func trustPool(ca *pki.CA) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for _, c := range ca.Others {
		pool.AddCert(c)
	}
	return pool
}

// pruneCA drops expired old CAs from the tenant's bundle once every node
// serves a certificate of the active CA, and tells the nodes to reload it.
func (p *Provisioner) pruneCA(dir string, ca *pki.CA, pools []poolNodes) (*pki.CA, error) {
	for _, pn := range pools {
		for _, n := range pn.nodes {
			if n.served == nil || n.served.CheckSignatureFrom(ca.Cert) != nil {
				return ca, nil
			}
		}
	}
	pruned, changed, err := pki.Prune(dir, time.Now())
	if err != nil || !changed {
		return ca, err
	}
	p.cfg.Logger.Info("tenant CA rotation", "dir", dir, "step", "pruned old CA")
	reloadAll(pools)
	return pruned, nil
}

// reloadAll sends SIGHUP to every running node.
func reloadAll(pools []poolNodes) {
	for _, pn := range pools {
		for _, n := range pn.nodes {
			n.reload()
		}
	}
}

// endpointStatus fills in what clients of the endpoint should trust and
// when its certificate expires: the provided bundle and certificate, or
// the internal CA's bundle and the earliest node certificate.
func endpointStatus(obs *provision.Observed, ca *pki.CA, pc *model.ProvidedCert) {
	obs.CABundle = string(ca.BundlePEM())
	if pc != nil {
		obs.CABundle = string(pc.CAPEM)
		obs.CertNotAfter = pc.NotAfter()
	}
}

// providedWarning says what is wrong with a provided certificate that
// expires at notAfter, seen at now; fix says how to replace it.
func providedWarning(notAfter, now time.Time, renewBefore time.Duration,
	fix string) (string, bool) {
	at := notAfter.UTC().Format(time.RFC3339)
	switch {
	case !now.Before(notAfter):
		return "the provided certificate expired at " + at + ": S3 clients refuse the " +
			"endpoint; the control plane cannot renew a certificate it did not issue, so " +
			fix, true
	case notAfter.Sub(now) <= renewBefore:
		return "the provided certificate expires at " + at + ": the control plane cannot " +
			"renew a certificate it did not issue; " + fix + " before then", false
	}
	return "", false
}
