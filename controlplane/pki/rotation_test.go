package pki

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func testRotation() Rotation {
	return Rotation{CommonName: "test CA", Lifetime: time.Hour, RenewBefore: 20 * time.Minute}
}

// rotateAt runs Rotate at start+after and fails the test on error.
func rotateAt(t *testing.T, dir string, start time.Time, after time.Duration) (*CA,
	RotationStep) {
	t.Helper()
	ca, step, err := Rotate(dir, testRotation(), start.Add(after))
	if err != nil {
		t.Fatalf("Rotate at +%s: %v", after, err)
	}
	return ca, step
}

func TestRotateStagesPromotesAndPrunes(t *testing.T) {
	t.Parallel()
	dir, start := t.TempDir(), time.Now()
	first, step := rotateAt(t, dir, start, 0)
	if step != RotationNone || len(first.Others) != 0 {
		t.Fatalf("new CA: got step %s and %d others, want none and 0", step, len(first.Others))
	}
	steps := []struct {
		name       string
		after      time.Duration
		want       RotationStep
		wantActive func(*x509.Certificate) bool
		wantOthers int
	}{
		{"a CA far from expiry stays as it is", 30 * time.Minute, RotationNone,
			first.Cert.Equal, 0},
		{"a CA within the renewal window gets a staged successor", 45 * time.Minute,
			RotationStaged, first.Cert.Equal, 1},
		{"a staged CA is not staged twice", 47 * time.Minute, RotationNone, first.Cert.Equal, 1},
		{"the staged CA is promoted at half the window", 52 * time.Minute, RotationPromoted,
			func(c *x509.Certificate) bool { return !first.Cert.Equal(c) }, 1},
	}
	for _, s := range steps {
		ca, step := rotateAt(t, dir, start, s.after)
		if step != s.want || !s.wantActive(ca.Cert) || len(ca.Others) != s.wantOthers {
			t.Fatalf("%s: got step %s, active is first %v, %d others; want step %s, %d others",
				s.name, step, first.Cert.Equal(ca.Cert), len(ca.Others), s.want, s.wantOthers)
		}
	}
	loaded, err := LoadCA(dir)
	if err != nil || first.Cert.Equal(loaded.Cert) || !loaded.Others[0].Equal(first.Cert) {
		t.Fatalf("after promotion LoadCA = %v; want the new CA active and the old one kept", err)
	}
	if _, err := os.Stat(filepath.Join(dir, NextCACertFile)); !os.IsNotExist(err) {
		t.Errorf("staged CA file after promotion: got %v, want it gone", err)
	}
	if _, changed, _ := Prune(dir, start.Add(55*time.Minute)); changed {
		t.Errorf("Prune before the old CA expired: got changed, want the old CA kept")
	}
	pruned, changed, err := Prune(dir, start.Add(61*time.Minute))
	if err != nil || !changed || len(pruned.Others) != 0 {
		t.Errorf("Prune after expiry: got changed=%v, %d others, %v; want true, 0, nil",
			changed, len(pruned.Others), err)
	}
}

func TestCertificatesOfBothCAsVerifyAgainstTheBundle(t *testing.T) {
	t.Parallel()
	dir, start := t.TempDir(), time.Now()
	old, _ := rotateAt(t, dir, start, 0)
	staged, _ := rotateAt(t, dir, start, 45*time.Minute)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(staged.BundlePEM())
	next, err := loadCAFiles(dir, NextCACertFile, NextCAKeyFile)
	if err != nil {
		t.Fatalf("loading the staged CA: %v", err)
	}
	for name, ca := range map[string]*CA{"old": old, "staged": next} {
		iss, err := ca.IssueServer("node-0", []string{"localhost"}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := ParseCert(iss.CertPEM)
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots}); err != nil {
			t.Errorf("certificate of the %s CA against the bundle: got %v, want it verified",
				name, err)
		}
	}
}

func TestLoadCAFinishesAPromotionCutShort(t *testing.T) {
	t.Parallel()
	dir, start := t.TempDir(), time.Now()
	rotateAt(t, dir, start, 0)
	staged, _ := rotateAt(t, dir, start, 45*time.Minute)
	next, err := loadCAFiles(dir, NextCACertFile, NextCAKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	// The crash: the new bundle is written, the key is not moved yet.
	next.Others = []*x509.Certificate{staged.Cert}
	if err := writeBundle(dir, next); err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(dir)
	if err != nil || !ca.Cert.Equal(next.Cert) {
		t.Fatalf("LoadCA after a cut promotion: got err %v; want the staged CA active", err)
	}
	if _, err := ca.IssueServer("n", nil, time.Hour); err != nil {
		t.Errorf("issuing from the finished CA: %v", err)
	}
}

func TestRotateRefusesAWindowAsLongAsTheLifetime(t *testing.T) {
	t.Parallel()
	_, _, err := Rotate(t.TempDir(), Rotation{CommonName: "x", Lifetime: time.Hour,
		RenewBefore: time.Hour}, time.Now())
	if err == nil {
		t.Error("got no error, want the window refused")
	}
}
