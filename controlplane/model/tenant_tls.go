package model

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// TLS sources of a tenant's S3 endpoint certificate.
const (
	// TLSSourceInternal issues the endpoint's certificate from the
	// tenant's own CA, renews it, and rotates the CA.
	TLSSourceInternal = "internal"
	// TLSSourceProvided serves a certificate the user gives as files; the
	// control plane copies it to the nodes but cannot renew it.
	TLSSourceProvided = "provided"
)

// NotBuiltSecretRef is the message that refuses tls.secretRef (422); the
// provider's plan-time validator gives the same words.
const NotBuiltSecretRef = "secret references are not built yet: they need a Kubernetes " +
	"or Vault secret backend, which is not built; give certFile and keyFile instead"

// TenantTLS says where a tenant's S3 endpoint gets its certificate.
// Node-to-node traffic always uses certificates of the tenant's internal CA.
type TenantTLS struct {
	// Source is internal (default) or provided.
	Source string `json:"source,omitempty"`
	// CertFile is a PEM file, readable by the control plane, holding the
	// endpoint's certificate followed by its chain. Provided only.
	CertFile string `json:"certFile,omitempty"`
	// KeyFile is the PEM file of the certificate's private key. Provided
	// only.
	KeyFile string `json:"keyFile,omitempty"`
	// CAFile is an optional PEM bundle that clients should trust; without
	// it the tenant's status shows the chain's last certificate.
	CAFile string `json:"caFile,omitempty"`
	// SecretRef names a secret holding the certificate. Not built yet:
	// refused.
	SecretRef string `json:"secretRef,omitempty"`
}

// Provided reports whether the tenant serves a provided certificate.
func (t *TenantTLS) Provided() bool {
	return t != nil && t.Source == TLSSourceProvided
}

func (t *TenantTLS) defaults() {
	if t != nil && t.Source == "" {
		t.Source = TLSSourceInternal
	}
}

// validate checks the shape of the TLS block, without reading files.
func (t *TenantTLS) validate(v *Violations, field string) {
	if t == nil {
		return
	}
	switch t.Source {
	case TLSSourceInternal:
		for name, val := range map[string]string{"certFile": t.CertFile,
			"keyFile": t.KeyFile, "caFile": t.CAFile} {
			if val != "" {
				v.Add(field+"."+name, "is only used with source \"provided\": leave it out "+
					"or set source to \"provided\"")
			}
		}
	case TLSSourceProvided:
		if t.SecretRef == "" && t.CertFile == "" {
			v.Add(field+".certFile", "is required with source \"provided\": give the path "+
				"of the PEM certificate chain")
		}
		if t.SecretRef == "" && t.KeyFile == "" {
			v.Add(field+".keyFile", "is required with source \"provided\": give the path "+
				"of the PEM private key")
		}
	default:
		v.Add(field+".source", "%q is not a TLS source: use internal or provided", t.Source)
	}
}

// notBuilt adds a violation for each TLS setting this build cannot carry
// out.
func (t *TenantTLS) notBuilt(v *Violations, field string) {
	if t != nil && t.SecretRef != "" {
		v.Add(field+".secretRef", "%s", NotBuiltSecretRef)
	}
}

// ProvidedCert is a provided certificate as read from its files.
type ProvidedCert struct {
	// Chain is the certificate chain, leaf first.
	Chain []*x509.Certificate
	// CertPEM, KeyPEM and CAPEM are the files' contents; CAPEM is the
	// bundle clients should trust.
	CertPEM, KeyPEM, CAPEM []byte
}

// NotAfter is when the provided leaf certificate expires.
func (p *ProvidedCert) NotAfter() time.Time { return p.Chain[0].NotAfter }

// ValidateProvidedTLS reads the files of a provided certificate and checks
// that they parse, that the key matches the certificate, and that the
// certificate covers every one of hosts (the endpoint's host names or IP
// addresses). It reports each problem at its path under field and returns
// the certificate when there is none.
func ValidateProvidedTLS(v *Violations, field string, t *TenantTLS,
	hosts []string) *ProvidedCert {
	if !t.Provided() || t.SecretRef != "" {
		return nil
	}
	n := len(*v)
	p := &ProvidedCert{}
	p.CertPEM, p.Chain = readChain(v, field+".certFile", t.CertFile)
	p.KeyPEM = readFile(v, field+".keyFile", t.KeyFile)
	p.CAPEM = readCABundle(v, field+".caFile", t.CAFile, p.Chain)
	if len(*v) > n {
		return nil
	}
	if _, err := tls.X509KeyPair(p.CertPEM, p.KeyPEM); err != nil {
		v.Add(field+".keyFile", "%s does not hold the private key of %s (%v): give the "+
			"key that matches the certificate", t.KeyFile, t.CertFile, err)
	}
	for _, h := range hosts {
		if err := p.Chain[0].VerifyHostname(h); err != nil {
			v.Add(field+".certFile", "%s does not cover the endpoint's host %s: issue it "+
				"with %s as a subject alternative name", t.CertFile, h, h)
		}
	}
	if len(*v) > n {
		return nil
	}
	return p
}

func readFile(v *Violations, field, path string) []byte {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		v.Add(field, "cannot be read by the control plane: %v", err)
		return nil
	}
	return b
}

// readChain reads a PEM file of certificates, leaf first.
func readChain(v *Violations, field, path string) ([]byte, []*x509.Certificate) {
	b := readFile(v, field, path)
	if b == nil {
		return nil, nil
	}
	chain, err := ParsePEMCerts(b)
	if err != nil {
		v.Add(field, "%s: %v", path, err)
		return nil, nil
	}
	return b, chain
}

// readCABundle reads the CA bundle clients should trust: caFile when
// given, else the chain's last certificate.
func readCABundle(v *Violations, field, path string, chain []*x509.Certificate) []byte {
	if path == "" {
		if len(chain) == 0 {
			return nil
		}
		last := chain[len(chain)-1]
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: last.Raw})
	}
	b := readFile(v, field, path)
	if b == nil {
		return nil
	}
	if _, err := ParsePEMCerts(b); err != nil {
		v.Add(field, "%s: %v", path, err)
		return nil
	}
	return b
}

// ParsePEMCerts parses every CERTIFICATE block of a PEM file, in order. It
// fails when there is none or one does not parse.
func ParsePEMCerts(b []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d does not parse: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("holds no PEM certificate")
	}
	return certs, nil
}
