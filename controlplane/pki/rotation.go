package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/strata-storage/strata/internal/atomicfile"
)

// File names of a staged CA: made, published in ca.pem and trusted, but
// not signing yet.
const (
	NextCACertFile = "ca-next.pem"
	NextCAKeyFile  = "ca-next-key.pem"
)

// Rotation says when a CA kept in a directory is replaced. A rotation has
// three steps, so that every client and node trusts the new CA before
// anything is signed by it, and keeps trusting the old one while
// certificates it signed are in use:
//
//  1. Stage: RenewBefore before the active CA expires, a new CA is made
//     and added to ca.pem after the active one. ca.pem is the bundle that
//     nodes and clients trust, so from now on they trust both.
//  2. Promote: half of RenewBefore before the active CA expires, the
//     staged CA becomes the active one (first in ca.pem, its key in
//     ca-key.pem), and certificates are issued from it. The old CA stays
//     in ca.pem.
//  3. Prune: the caller removes the old CA from ca.pem once it expired
//     and nothing uses certificates it signed.
type Rotation struct {
	// CommonName names new CAs.
	CommonName string
	// Lifetime is how long a new CA is valid.
	Lifetime time.Duration
	// RenewBefore is how long before the active CA expires a new one is
	// staged; it is promoted at half that. It must be shorter than
	// Lifetime.
	RenewBefore time.Duration
}

// RotationStep is what one call to Rotate did.
type RotationStep int

// Steps of a rotation.
const (
	RotationNone RotationStep = iota
	RotationStaged
	RotationPromoted
)

// String names the step for logs.
func (s RotationStep) String() string {
	return [...]string{"none", "staged", "promoted"}[s]
}

// Rotate loads the CA kept in dir (creating it when there is none) and
// takes the next step of its rotation that is due at now. It is
// idempotent, and safe to repeat after a crash at any point.
func Rotate(dir string, r Rotation, now time.Time) (*CA, RotationStep, error) {
	if r.RenewBefore >= r.Lifetime {
		return nil, RotationNone, fmt.Errorf("pki: a CA renewed %s before expiry would be "+
			"renewed at once: make the renewal window shorter than the lifetime (%s)",
			r.RenewBefore, r.Lifetime)
	}
	ca, err := LoadOrCreateCAFor(dir, r.CommonName, r.Lifetime)
	if err != nil {
		return nil, RotationNone, err
	}
	left := ca.Cert.NotAfter.Sub(now)
	next, err := loadCAFiles(dir, NextCACertFile, NextCAKeyFile)
	switch {
	case errors.Is(err, os.ErrNotExist) && left > r.RenewBefore:
		return ca, RotationNone, nil
	case errors.Is(err, os.ErrNotExist):
		ca, err = stage(dir, ca, r)
		return ca, RotationStaged, err
	case err != nil:
		return nil, RotationNone, err
	case left > r.RenewBefore/2:
		ca, err = publish(dir, ca, next) // repeats a stage cut short
		return ca, RotationNone, err
	}
	ca, err = promote(dir, ca, next)
	return ca, RotationPromoted, err
}

// stage makes a new CA, keeps it beside the active one and publishes it
// in ca.pem.
func stage(dir string, ca *CA, r Rotation) (*CA, error) {
	next, err := NewCAFor(r.CommonName, r.Lifetime)
	if err != nil {
		return nil, err
	}
	if err := writeCAKey(filepath.Join(dir, NextCAKeyFile), next); err != nil {
		return nil, err
	}
	err = atomicfile.Write(filepath.Join(dir, NextCACertFile), next.CertPEM, 0o644)
	if err != nil {
		return nil, err
	}
	return publish(dir, ca, next)
}

// publish makes sure ca.pem holds next after the active CA.
func publish(dir string, ca, next *CA) (*CA, error) {
	for _, c := range ca.Others {
		if c.Equal(next.Cert) {
			return ca, nil
		}
	}
	ca.Others = append(slices.Clip(ca.Others), next.Cert)
	return ca, writeBundle(dir, ca)
}

// promote makes the staged CA the active one; the old one stays trusted.
// The order of the writes lets LoadCA finish a promotion cut short.
func promote(dir string, ca, next *CA) (*CA, error) {
	others := []*x509.Certificate{ca.Cert}
	for _, c := range ca.Others {
		if !c.Equal(next.Cert) {
			others = append(others, c)
		}
	}
	next.Others = others
	if err := writeBundle(dir, next); err != nil {
		return nil, err
	}
	return next, finishPromotion(dir)
}

// finishPromotion completes a promotion whose new bundle is written: the
// staged key becomes the CA's key and the staged files go. It does
// nothing when no promotion is under way.
func finishPromotion(dir string) error {
	nextPEM, err := os.ReadFile(filepath.Join(dir, NextCACertFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("pki: reading staged CA: %w", err)
	}
	bundle, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return fmt.Errorf("pki: reading CA: %w", err)
	}
	if !bytes.HasPrefix(bundle, nextPEM) {
		return nil // staged, not promoted
	}
	err = os.Rename(filepath.Join(dir, NextCAKeyFile), filepath.Join(dir, CAKeyFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pki: promoting staged CA key: %w", err)
	}
	if err := os.Remove(filepath.Join(dir, NextCACertFile)); err != nil {
		return fmt.Errorf("pki: removing staged CA: %w", err)
	}
	return nil
}

// Prune removes from the bundle of the CA kept in dir every CA that is
// neither active nor staged and expired before now. It reports whether
// the bundle changed. Call it only when nothing uses certificates that
// those CAs signed.
func Prune(dir string, now time.Time) (*CA, bool, error) {
	ca, err := LoadCA(dir)
	if err != nil {
		return nil, false, err
	}
	kept := ca.Others[:0:0]
	for _, c := range ca.Others {
		if now.Before(c.NotAfter) {
			kept = append(kept, c)
		}
	}
	if len(kept) == len(ca.Others) {
		return ca, false, nil
	}
	ca.Others = kept
	return ca, true, writeBundle(dir, ca)
}

// writeBundle writes ca.pem: the active CA, then the others.
func writeBundle(dir string, ca *CA) error {
	return atomicfile.Write(filepath.Join(dir, CACertFile), ca.BundlePEM(), 0o644)
}
