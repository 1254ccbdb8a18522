package local

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/secrets"
	"github.com/strata-storage/strata/internal/testkube"
)

// tlsSecret is a kubernetes.io/tls Secret of a certificate for the local
// endpoint issued by ca, with the CA after it in tls.crt, and its leaf.
func tlsSecret(t *testing.T, ca *pki.CA, ns, name string) (*corev1.Secret, *x509.Certificate) {
	t.Helper()
	iss, err := ca.IssueServer("s3.example.test", localHosts(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.ParseCert(iss.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: append(iss.CertPEM, ca.CertPEM...),
			corev1.TLSPrivateKeyKey: iss.KeyPEM},
	}, leaf
}

// TestACertificateFromAKubernetesSecretIsWhatS3ClientsSee runs a tenant
// whose certificate is a Secret in a real kube-apiserver: the nodes serve
// it, serve the renewed one after the Secret changes (a reload, not a
// restart), and keep serving it when the Secret is gone, while Ensure
// reports why it cannot go on.
func TestACertificateFromAKubernetesSecretIsWhatS3ClientsSee(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kube := testkube.Start(t)
	if _, err := kube.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: "certs"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	userCA, err := pki.NewCA("user test CA")
	if err != nil {
		t.Fatal(err)
	}
	secret, leaf := tlsSecret(t, userCA, "certs", "tenant-tls")
	api := kube.Client.CoreV1().Secrets("certs")
	if _, err := api.Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	reader, err := secrets.NewKubernetes(kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{StateDir: t.TempDir(), StoragedBin: storagedBin, Secrets: reader})
	if err != nil {
		t.Fatal(err)
	}
	tenant := newTenant("kube", 1, 4)
	tenant.Spec.TLS = &model.TenantTLS{Source: model.TLSSourceProvided,
		SecretRef: "kubernetes:certs/tenant-tls"}
	obs := ensureReady(t, p, tenant)

	if obs.CABundle != string(userCA.CertPEM) {
		t.Errorf("CA bundle: got %q, want the chain's CA", obs.CABundle)
	}
	if !obs.CertNotAfter.Equal(leaf.NotAfter) {
		t.Errorf("certificate expiry: got %s, want %s", obs.CertNotAfter, leaf.NotAfter)
	}
	if !strings.Contains(obs.TLSWarning, "write the new certificate and key into the Secret "+
		"kubernetes:certs/tenant-tls") {
		t.Errorf("warning: got %q, want advice to renew the Secret", obs.TLSWarning)
	}
	if got := servedLeaf(t, obs.Endpoint, userCA.CertPEM); got.SerialNumber.Cmp(
		leaf.SerialNumber) != 0 {
		t.Fatalf("the endpoint serves serial %s, want the Secret's %s", got.SerialNumber,
			leaf.SerialNumber)
	}
	pid, _ := livePID(p.node(tenant, tenant.Spec.Pools[0], 0).dir)

	renewed, next := tlsSecret(t, userCA, "certs", "tenant-tls")
	if _, err := api.Update(ctx, renewed, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	waitForSerial(t, obs.Endpoint, userCA.CertPEM, next)
	if now, _ := livePID(p.node(tenant, tenant.Spec.Pools[0], 0).dir); now != pid {
		t.Errorf("storaged pid changed from %d to %d: want a reload, not a restart", pid, now)
	}

	if err := api.Delete(ctx, "tenant-tls", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = p.Ensure(ctx, tenant)
	if err == nil || !strings.Contains(err.Error(),
		"Secret kubernetes:certs/tenant-tls does not exist") {
		t.Errorf("Ensure with the Secret gone: got %v, want an error naming it", err)
	}
	if got := servedLeaf(t, obs.Endpoint, userCA.CertPEM); got.SerialNumber.Cmp(
		next.SerialNumber) != 0 {
		t.Errorf("with the Secret gone the endpoint serves serial %s, want the last one, %s",
			got.SerialNumber, next.SerialNumber)
	}
}
