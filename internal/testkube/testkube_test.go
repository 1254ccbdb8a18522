package testkube_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/strata-storage/strata/internal/testkube"
)

// TestCluster starts one API server and walks a tenant certificate's
// Secret through it: written by the administrator, read back through the
// administrator's kubeconfig, refused to the reader until granted, then
// read by the reader in that namespace only.
func TestCluster(t *testing.T) {
	start := time.Now()
	c := testkube.Start(t)
	t.Logf("kube-apiserver ready in %v", time.Since(start).Round(time.Millisecond))
	ctx := context.Background()

	want := tlsSecret(t, c)

	t.Run("the administrator's kubeconfig reads the Secret back", func(t *testing.T) {
		got := getSecret(t, fromKubeconfig(t, c.Kubeconfig), "tenant-certs", "demo-tls")
		assertSameSecret(t, got, want)
	})

	t.Run("the kubeconfig verifies the server against its CA", func(t *testing.T) {
		cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
		if err != nil {
			t.Fatalf("loading %s: %v", c.Kubeconfig, err)
		}
		if !bytes.Equal(cfg.TLSClientConfig.CAData, c.CA) {
			t.Fatal("the kubeconfig does not carry the cluster's CA")
		}
		if cfg.Insecure {
			t.Fatal("the kubeconfig skips TLS verification")
		}
		cfg.TLSClientConfig.CAData = otherCA(t)
		_, err = kubernetes.NewForConfigOrDie(cfg).CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("a client that trusts another CA got %v, want a certificate error", err)
		}
	})

	reader := fromKubeconfig(t, c.UserKubeconfig(t, testkube.Reader))

	t.Run("the reader is refused before it is granted", func(t *testing.T) {
		_, err := reader.CoreV1().Secrets("tenant-certs").Get(ctx, "demo-tls", metav1.GetOptions{})
		if !apierrors.IsForbidden(err) {
			t.Fatalf("got %v, want 403 Forbidden", err)
		}
		msg := err.Error()
		for _, part := range []string{`"` + testkube.Reader + `"`, `"secrets"`, `"tenant-certs"`} {
			if !strings.Contains(msg, part) {
				t.Errorf("the refusal %q does not name %s", msg, part)
			}
		}
	})

	c.GrantSecretRead(t, testkube.Reader, "tenant-certs")

	t.Run("the granted reader reads the Secret", func(t *testing.T) {
		assertSameSecret(t, getSecret(t, reader, "tenant-certs", "demo-tls"), want)
	})

	t.Run("the grant covers get in its namespace only", func(t *testing.T) {
		createNamespace(t, c.Client, "elsewhere")
		_, err := reader.CoreV1().Secrets("elsewhere").Get(ctx, "demo-tls", metav1.GetOptions{})
		if !apierrors.IsForbidden(err) {
			t.Errorf("get in another namespace: got %v, want 403 Forbidden", err)
		}
		_, err = reader.CoreV1().Secrets("tenant-certs").List(ctx, metav1.ListOptions{})
		if !apierrors.IsForbidden(err) {
			t.Errorf("list in the granted namespace: got %v, want 403 Forbidden", err)
		}
	})
}

// tlsSecret creates namespace tenant-certs and, in it, the TLS Secret
// demo-tls as the administrator, and returns it as created.
func tlsSecret(t *testing.T, c *testkube.Cluster) *corev1.Secret {
	t.Helper()
	createNamespace(t, c.Client, "tenant-certs")
	certPEM, keyPEM := serverCert(t, "demo.s3.strata.test")
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "demo-tls", Namespace: "tenant-certs"},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM},
	}
	created, err := c.Client.CoreV1().Secrets("tenant-certs").
		Create(context.Background(), secret, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating Secret tenant-certs/demo-tls: %v", err)
	}
	assertSameSecret(t, created, secret)
	return created
}

func createNamespace(t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := client.CoreV1().Namespaces().
		Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
}

// fromKubeconfig builds a clientset from a kubeconfig file, as a program
// given --kubeconfig would.
func fromKubeconfig(t *testing.T, path string) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatalf("loading kubeconfig %s: %v", path, err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("building a client from %s: %v", path, err)
	}
	return client
}

func getSecret(t *testing.T, client kubernetes.Interface, namespace, name string) *corev1.Secret {
	t.Helper()
	s, err := client.CoreV1().Secrets(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting Secret %s/%s: %v", namespace, name, err)
	}
	return s
}

func assertSameSecret(t *testing.T, got, want *corev1.Secret) {
	t.Helper()
	if got.Namespace != want.Namespace || got.Name != want.Name {
		t.Errorf("got Secret %s/%s, want %s/%s", got.Namespace, got.Name, want.Namespace, want.Name)
	}
	if got.Type != corev1.SecretTypeTLS {
		t.Errorf("got type %q, want %q", got.Type, corev1.SecretTypeTLS)
	}
	if len(got.Data) != len(want.Data) {
		t.Errorf("got %d data keys, want %d", len(got.Data), len(want.Data))
	}
	for key, value := range want.Data {
		if !bytes.Equal(got.Data[key], value) {
			t.Errorf("data %s: got %d bytes that differ from the %d written", key, len(got.Data[key]), len(value))
		}
	}
	block, _ := pem.Decode(got.Data[corev1.TLSCertKey])
	if block == nil {
		t.Fatalf("data %s holds no PEM block", corev1.TLSCertKey)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parsing the certificate read back: %v", err)
	}
	if cert.Subject.CommonName != "demo.s3.strata.test" {
		t.Errorf("got certificate for %q, want demo.s3.strata.test", cert.Subject.CommonName)
	}
}
