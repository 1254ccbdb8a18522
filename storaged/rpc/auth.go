package rpc

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
)

// ErrNotANode means a TLS peer is not a node of this tenant: it showed no
// certificate, one that does not chain to the tenant's CA, or one that
// names no node of the tenant.
var ErrNotANode = errors.New("rpc: peer is not a node of this tenant")

// authority decides whether a certificate belongs to a node of the tenant.
type authority struct {
	roots *x509.CertPool
	// getRoots, when set, returns the current roots instead of roots.
	getRoots func() *x509.CertPool
	nodes    []string
}

func (a authority) pool() *x509.CertPool {
	if a.getRoots != nil {
		return a.getRoots()
	}
	return a.roots
}

// verify checks that the peer's chain leads to the tenant's CA for usage
// and that the leaf names one of the nodes; it returns that node's name.
// certs is the chain as the peer sent it, leaf first.
func (a authority) verify(certs []*x509.Certificate, usage x509.ExtKeyUsage) (string, error) {
	if len(certs) == 0 {
		return "", fmt.Errorf("%w: no certificate", ErrNotANode)
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         a.pool(),
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{usage},
	})
	if err != nil {
		return "", fmt.Errorf("%w: certificate of %q: %w",
			ErrNotANode, leaf.Subject.CommonName, err)
	}
	name, ok := nodeName(leaf, a.nodes)
	if !ok {
		return "", fmt.Errorf("%w: certificate of %q names no node of the tenant",
			ErrNotANode, leaf.Subject.CommonName)
	}
	return name, nil
}

// nodeName returns the first of nodes that the certificate names, as its
// common name or as one of its DNS names.
func nodeName(c *x509.Certificate, nodes []string) (string, bool) {
	if slices.Contains(nodes, c.Subject.CommonName) {
		return c.Subject.CommonName, true
	}
	for _, n := range c.DNSNames {
		if slices.Contains(nodes, n) {
			return n, true
		}
	}
	return "", false
}
