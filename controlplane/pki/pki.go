// Package pki is the control plane's certificate authority: it creates CAs
// (one for the control plane, one per tenant), issues server and client
// certificates from them, and keeps keys in files readable only by their
// owner. A tenant's CA rotates before it expires (see Rotation): its
// ca.pem is then a bundle of the active CA and the ones still trusted.
//
// Keys are ECDSA P-256. The package writes files atomically and never logs.
package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-storage/strata/internal/atomicfile"
)

// Lifetimes of what the package issues.
const (
	CALifetime   = 10 * 365 * 24 * time.Hour
	CertLifetime = 365 * 24 * time.Hour
)

// File names inside a CA's directory.
const (
	CACertFile = "ca.pem"
	CAKeyFile  = "ca-key.pem"
)

// CA is a certificate authority with its key.
type CA struct {
	Cert    *x509.Certificate
	CertPEM []byte
	// Others are the other CA certificates that ca.pem holds after the
	// active one (see Rotation); empty for a CA that never rotated.
	Others []*x509.Certificate
	key    *ecdsa.PrivateKey
}

// BundlePEM returns the PEM of the active CA followed by Others: every CA
// that clients and peers should trust.
func (ca *CA) BundlePEM() []byte {
	out := append([]byte(nil), ca.CertPEM...)
	for _, c := range ca.Others {
		out = append(out, pemBlock("CERTIFICATE", c.Raw)...)
	}
	return out
}

// LoadOrCreateCA loads the CA kept in dir (ca.pem and ca-key.pem), or
// creates one with the given common name when neither file exists.
func LoadOrCreateCA(dir, commonName string) (*CA, error) {
	return LoadOrCreateCAFor(dir, commonName, CALifetime)
}

// LoadOrCreateCAFor is LoadOrCreateCA with the lifetime of a new CA.
func LoadOrCreateCAFor(dir, commonName string, lifetime time.Duration) (*CA, error) {
	ca, err := LoadCA(dir)
	if !errors.Is(err, os.ErrNotExist) {
		return ca, err
	}
	ca, err = NewCAFor(commonName, lifetime)
	if err != nil {
		return nil, err
	}
	if err := writeCAKey(filepath.Join(dir, CAKeyFile), ca); err != nil {
		return nil, err
	}
	return ca, atomicfile.Write(filepath.Join(dir, CACertFile), ca.CertPEM, 0o644)
}

func writeCAKey(path string, ca *CA) error {
	keyPEM, err := encodeKey(ca.key)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, keyPEM, 0o600)
}

// LoadCA reads the CA kept in dir, finishing a promotion that was cut
// short (see Rotation). It returns an error wrapping os.ErrNotExist when
// the CA's certificate is not there.
func LoadCA(dir string) (*CA, error) {
	if err := finishPromotion(dir); err != nil {
		return nil, err
	}
	return loadCAFiles(dir, CACertFile, CAKeyFile)
}

// loadCAFiles reads a CA whose certificate file starts with the CA's own
// certificate and may go on with others.
func loadCAFiles(dir, certFile, keyFile string) (*CA, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, certFile))
	if err != nil {
		return nil, fmt.Errorf("pki: reading CA: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, keyFile))
	if err != nil {
		return nil, fmt.Errorf("pki: reading CA key: %w", err)
	}
	certs, err := ParseCerts(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(certs[0].PublicKey) {
		return nil, fmt.Errorf("pki: %s does not hold the key of %s", keyFile, certFile)
	}
	return &CA{Cert: certs[0], CertPEM: pemBlock("CERTIFICATE", certs[0].Raw),
		Others: certs[1:], key: key}, nil
}

// NewCA creates a self-signed CA in memory, valid for CALifetime.
func NewCA(commonName string) (*CA, error) {
	return NewCAFor(commonName, CALifetime)
}

// NewCAFor creates a self-signed CA in memory, valid for lifetime.
func NewCAFor(commonName string, lifetime time.Duration) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generating CA key: %w", err)
	}
	tmpl, err := template(commonName, lifetime)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.MaxPathLenZero = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("pki: signing CA: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, CertPEM: pemBlock("CERTIFICATE", der), key: key}, nil
}

// Issued is a certificate and its key, PEM encoded.
type Issued struct {
	CertPEM  []byte
	KeyPEM   []byte
	NotAfter time.Time
}

// IssueServer issues a certificate for TLS servers and clients with the
// given host names and IP addresses, valid for lifetime.
func (ca *CA) IssueServer(commonName string, hosts []string,
	lifetime time.Duration) (Issued, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Issued{}, fmt.Errorf("pki: generating key: %w", err)
	}
	tmpl, err := template(commonName, lifetime)
	if err != nil {
		return Issued{}, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return Issued{}, fmt.Errorf("pki: signing certificate for %s: %w", commonName, err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return Issued{}, err
	}
	return Issued{
		CertPEM:  pemBlock("CERTIFICATE", der),
		KeyPEM:   keyPEM,
		NotAfter: tmpl.NotAfter,
	}, nil
}

func template(commonName string, lifetime time.Duration) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("pki: serial number: %w", err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName, Organization: []string{"Strata"}},
		NotBefore:    now.Add(-5 * time.Minute),
		NotAfter:     now.Add(lifetime),
	}, nil
}

// ParseCerts decodes every certificate of a PEM file, in order; it fails
// when there is none.
func ParseCerts(b []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pki: parsing certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("pki: no PEM certificate found")
	}
	return certs, nil
}

// ParseCert decodes the first certificate of a PEM block.
func ParseCert(certPEM []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(certPEM)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("pki: no PEM certificate found")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pki: parsing certificate: %w", err)
	}
	return c, nil
}

func parseKey(keyPEM []byte) (*ecdsa.PrivateKey, error) {
	b, _ := pem.Decode(keyPEM)
	if b == nil {
		return nil, errors.New("pki: no PEM key found")
	}
	k, err := x509.ParseECPrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pki: parsing key: %w", err)
	}
	return k, nil
}

func encodeKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("pki: encoding key: %w", err)
	}
	return pemBlock("EC PRIVATE KEY", der), nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
