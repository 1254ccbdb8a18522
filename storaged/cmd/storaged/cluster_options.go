package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
)

// checkNoCluster refuses the multi-node flags without --topology.
func checkNoCluster(raw rawFlags) error {
	var errs []error
	if raw.nodeName != "" {
		errs = append(errs, errors.New("--node-name needs --topology: a node name only means "+
			"something in a multi-node tenant"))
	}
	if raw.tlsCA != "" {
		errs = append(errs, errors.New("--tls-ca needs --topology: the tenant CA checks the "+
			"other nodes, and a single node has none"))
	}
	return errors.Join(errs...)
}

// checkCluster validates the options of a node of a multi-node tenant:
// the topology, this node's place in it, the tenant's CA, and that this
// node's certificate (certFile, already loaded by checkTLS, or "" when it
// failed) is one the other nodes will accept.
func checkCluster(raw rawFlags, certFile string) (*clusterOptions, error) {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if raw.insecureHTTP {
		add(errors.New("--insecure-http cannot be combined with --topology: nodes talk to " +
			"each other over TLS with client certificates"))
	}
	if len(raw.drives) > 0 || raw.parity != 0 {
		add(errors.New("--drive and --parity cannot be combined with --topology: the " +
			"topology file names every node's drives and the parity"))
	}
	if raw.nodeName == "" {
		add(errors.New("--node-name is required with --topology: give this node's name " +
			"as the topology file lists it"))
	}
	roots, err := loadCA(raw.tlsCA)
	if err != nil {
		add(err)
	}
	topo, err := loadTopology(raw.topology, raw.nodeName)
	if err != nil {
		add(err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if certFile != "" {
		if err := checkNodeCert(raw.tlsCert, raw.tlsKey, roots, raw.nodeName); err != nil {
			return nil, err
		}
	}
	return &clusterOptions{topology: topo, tlsCA: raw.tlsCA}, nil
}

// loadCA reads the tenant's CA certificates from a PEM file.
func loadCA(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, errors.New("--tls-ca is required with --topology: give the PEM file of " +
			"the tenant's CA")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--tls-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("--tls-ca %q holds no PEM certificate", path)
	}
	return pool, nil
}

// checkNodeCert demands that this node's certificate chain to the tenant's
// CA, serve both as server and client certificate, and name the node, as
// its peers will check.
func checkNodeCert(certFile, keyFile string, roots *x509.CertPool, node string) error {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("--tls-cert %q: %w", certFile, err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return fmt.Errorf("--tls-cert %q: %w", certFile, err)
	}
	inter := x509.NewCertPool()
	for _, der := range pair.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			inter.AddCert(c)
		}
	}
	// A chain passes Verify if it allows any usage listed: check each.
	for _, usage := range []x509.ExtKeyUsage{
		x509.ExtKeyUsageServerAuth,
		x509.ExtKeyUsageClientAuth,
	} {
		_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{usage}})
		if err != nil {
			return fmt.Errorf("--tls-cert %q is not usable between nodes: it must be signed "+
				"by --tls-ca for server and client use: %w", certFile, err)
		}
	}
	if leaf.Subject.CommonName != node && !slices.Contains(leaf.DNSNames, node) {
		return fmt.Errorf("--tls-cert %q names %q, not this node: its common name or a DNS "+
			"name must be %q, or the other nodes refuse it", certFile,
			leaf.Subject.CommonName, node)
	}
	return nil
}
