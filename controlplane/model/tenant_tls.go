package model

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
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
	// SecretRef names a Kubernetes Secret holding the certificate, as
	// kubernetes:<namespace>/<name>, instead of the files. Provided only.
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
		for _, f := range []struct{ name, val string }{{"certFile", t.CertFile},
			{"keyFile", t.KeyFile}, {"caFile", t.CAFile}, {"secretRef", t.SecretRef}} {
			if f.val != "" {
				v.Add(field+"."+f.name, "is only used with source \"provided\": leave it out "+
					"or set source to \"provided\"")
			}
		}
	case TLSSourceProvided:
		if t.SecretRef != "" {
			t.validateSecretRef(v, field)
			return
		}
		if t.CertFile == "" {
			v.Add(field+".certFile", "is required with source \"provided\": give the path "+
				"of the PEM certificate chain")
		}
		if t.KeyFile == "" {
			v.Add(field+".keyFile", "is required with source \"provided\": give the path "+
				"of the PEM private key")
		}
	default:
		v.Add(field+".source", "%q is not a TLS source: use internal or provided", t.Source)
	}
}

// validateSecretRef checks a provided certificate given by secret
// reference: the reference's form, and that no files are named besides.
func (t *TenantTLS) validateSecretRef(v *Violations, field string) {
	if _, err := ParseSecretRef(t.SecretRef); err != nil {
		v.Add(field+".secretRef", "%v", err)
	}
	for _, f := range []struct{ name, val string }{{"certFile", t.CertFile},
		{"keyFile", t.KeyFile}, {"caFile", t.CAFile}} {
		if f.val != "" {
			v.Add(field+"."+f.name, "is not used with secretRef, which holds the certificate, "+
				"its key and CA: give either secretRef or the files")
		}
	}
}

// SecretRef names a Kubernetes Secret: the form of TenantTLS.SecretRef,
// kubernetes:<namespace>/<name>.
type SecretRef struct {
	Namespace, Name string
}

// secretRefScheme opens every secret reference.
const secretRefScheme = "kubernetes:"

// Keys of a provided certificate's Secret: those of Kubernetes' TLS
// Secrets (type kubernetes.io/tls), which kubectl create secret tls and
// cert-manager write.
const (
	SecretCertKey = "tls.crt"
	SecretKeyKey  = "tls.key"
	SecretCAKey   = "ca.crt"
)

// dnsLabel and dnsSubdomain are Kubernetes' rules for namespace and Secret
// names.
var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// ParseSecretRef parses kubernetes:<namespace>/<name>, checking both names
// as Kubernetes does.
func ParseSecretRef(s string) (SecretRef, error) {
	rest, ok := strings.CutPrefix(s, secretRefScheme)
	ns, name, found := strings.Cut(rest, "/")
	if !ok || !found {
		return SecretRef{}, fmt.Errorf("%q is not a secret reference: write "+
			"kubernetes:<namespace>/<name>, such as kubernetes:strata/tenant-a-tls", s)
	}
	var problems []string
	if len(ns) > 63 || !dnsLabel.MatchString(ns) {
		problems = append(problems, fmt.Sprintf("namespace %q is not a Kubernetes namespace "+
			"name (at most 63 lower-case letters, digits and '-', starting and ending with a "+
			"letter or digit)", ns))
	}
	if len(name) > 253 || !dnsSubdomain.MatchString(name) {
		problems = append(problems, fmt.Sprintf("%q is not a Kubernetes Secret name (at "+
			"most 253 lower-case letters, digits, '-' and '.', starting and ending with a "+
			"letter or digit)", name))
	}
	if len(problems) > 0 {
		return SecretRef{}, fmt.Errorf("%q: %s", s, strings.Join(problems, "; and "))
	}
	return SecretRef{Namespace: ns, Name: name}, nil
}

// String is the reference as written.
func (r SecretRef) String() string { return secretRefScheme + r.Namespace + "/" + r.Name }

// SecretReader reads the data of a Secret that a resource references. Its
// errors say what to fix: a missing Secret, missing rights, or an API
// that cannot be reached.
type SecretReader interface {
	ReadSecret(ctx context.Context, ref SecretRef) (map[string][]byte, error)
}

// NoSecretReader is the message for a secret reference given to a control
// plane that has no Kubernetes API to read it from.
const NoSecretReader = "the control plane has no Kubernetes API to read secrets from: " +
	"start strata-controlplane serve with --kubeconfig (or $KUBECONFIG, or run it in a " +
	"Kubernetes pod), or give the certificate and key files instead"

// ReplaceAdvice says how to replace a provided certificate: in its files or
// in its Secret.
func (t *TenantTLS) ReplaceAdvice() string {
	if t.SecretRef != "" {
		return "write the new certificate and key into the Secret " + t.SecretRef + " (" +
			SecretCertKey + " and " + SecretKeyKey + ")"
	}
	return "replace the files named by spec.tls.certFile and keyFile"
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

// ValidateProvidedTLS reads a provided certificate, from its files or from
// the Secret that secretRef names (through secrets, which may be nil when
// there is no Kubernetes API), and checks that it parses, that the key
// matches the certificate, and that the certificate covers every one of
// hosts (the endpoint's host names or IP addresses). It reports each
// problem at its path under field and returns the certificate when there
// is none.
func ValidateProvidedTLS(ctx context.Context, v *Violations, field string, t *TenantTLS,
	hosts []string, secrets SecretReader) *ProvidedCert {
	if !t.Provided() {
		return nil
	}
	n := len(*v)
	p := &ProvidedCert{}
	src := fileSource(field, t)
	if t.SecretRef != "" {
		src = readSecret(ctx, v, field+".secretRef", t.SecretRef, secrets, p)
	} else {
		p.CertPEM = readFile(v, src.certField, t.CertFile)
		p.KeyPEM = readFile(v, src.keyField, t.KeyFile)
		p.CAPEM = readFile(v, src.caField, t.CAFile)
	}
	if len(*v) > n {
		return nil
	}
	p.check(v, src, hosts)
	if len(*v) > n {
		return nil
	}
	return p
}

// pemSource names where a provided certificate's parts came from, for
// messages: the field each problem is reported at and the words that name
// the part.
type pemSource struct {
	certField, keyField, caField string
	cert, key, ca                string
}

func fileSource(field string, t *TenantTLS) pemSource {
	return pemSource{certField: field + ".certFile", keyField: field + ".keyFile",
		caField: field + ".caFile", cert: t.CertFile, key: t.KeyFile, ca: t.CAFile}
}

// readSecret reads the certificate, key and CA bundle of the Secret that
// ref names into p.
func readSecret(ctx context.Context, v *Violations, field, ref string, secrets SecretReader,
	p *ProvidedCert) pemSource {
	in := func(key string) string { return key + " of Secret " + ref }
	src := pemSource{certField: field, keyField: field, caField: field,
		cert: in(SecretCertKey), key: in(SecretKeyKey), ca: in(SecretCAKey)}
	r, err := ParseSecretRef(ref)
	switch {
	case err != nil:
		v.Add(field, "%v", err)
		return src
	case secrets == nil:
		v.Add(field, "%s", NoSecretReader)
		return src
	}
	data, err := secrets.ReadSecret(ctx, r)
	if err != nil {
		v.Add(field, "%v", err)
		return src
	}
	for _, key := range []string{SecretCertKey, SecretKeyKey} {
		if len(data[key]) == 0 {
			v.Add(field, "Secret %s has no %s: it must hold the certificate chain in %s and "+
				"its private key in %s, as kubectl create secret tls writes them", ref, key,
				SecretCertKey, SecretKeyKey)
		}
	}
	p.CertPEM, p.KeyPEM, p.CAPEM = data[SecretCertKey], data[SecretKeyKey], data[SecretCAKey]
	return src
}

// check parses p's PEM data, fills in its chain and CA bundle, and checks
// the key and the hosts.
func (p *ProvidedCert) check(v *Violations, src pemSource, hosts []string) {
	n := len(*v)
	chain, err := ParsePEMCerts(p.CertPEM)
	if err != nil {
		v.Add(src.certField, "%s: %v", src.cert, err)
	}
	p.Chain = chain
	if p.CAPEM == nil && len(chain) > 0 {
		last := chain[len(chain)-1]
		p.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: last.Raw})
	} else if _, err := ParsePEMCerts(p.CAPEM); p.CAPEM != nil && err != nil {
		v.Add(src.caField, "%s: %v", src.ca, err)
	}
	if len(*v) > n {
		return
	}
	if _, err := tls.X509KeyPair(p.CertPEM, p.KeyPEM); err != nil {
		v.Add(src.keyField, "%s does not hold the private key of %s (%v): give the "+
			"key that matches the certificate", src.key, src.cert, err)
	}
	for _, h := range hosts {
		if err := chain[0].VerifyHostname(h); err != nil {
			v.Add(src.certField, "%s does not cover the endpoint's host %s: issue it "+
				"with %s as a subject alternative name", src.cert, h, h)
		}
	}
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
