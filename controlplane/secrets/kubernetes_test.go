package secrets

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testkube"
)

// TestKubernetesReadsSecretsAndSaysWhatToFix runs against a real
// kube-apiserver: a Secret reads back byte for byte, and a missing Secret,
// missing rights and an API that does not answer each get an error that
// names the Secret and what to do.
func TestKubernetesReadsSecretsAndSaysWhatToFix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kube := testkube.Start(t)
	want := map[string][]byte{model.SecretCertKey: []byte("chain"),
		model.SecretKeyKey: []byte("key"), model.SecretCAKey: []byte("ca")}
	createNamespace(t, kube, "strata")
	createSecret(t, kube, "strata", "tenant-tls", want)
	ref := model.SecretRef{Namespace: "strata", Name: "tenant-tls"}

	admin, err := NewKubernetes(kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a Secret reads back", func(t *testing.T) {
		got, err := admin.ReadSecret(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("got keys %v, want %v", keys(got), keys(want))
		}
		for k, v := range want {
			if !bytes.Equal(got[k], v) {
				t.Errorf("%s: got %q, want %q", k, got[k], v)
			}
		}
	})
	t.Run("a missing Secret says how to create it", func(t *testing.T) {
		_, err := admin.ReadSecret(ctx, model.SecretRef{Namespace: "strata", Name: "gone"})
		wantErr(t, err, "Secret kubernetes:strata/gone does not exist",
			"kubectl create secret tls gone -n strata")
	})
	t.Run("an identity without rights is told to get them", func(t *testing.T) {
		reader, err := NewKubernetes(kube.UserKubeconfig(t, testkube.Reader))
		if err != nil {
			t.Fatal(err)
		}
		_, err = reader.ReadSecret(ctx, ref)
		wantErr(t, err, "may not read Secret kubernetes:strata/tenant-tls", "Forbidden",
			"grant its identity get on secrets in namespace strata")
		kube.GrantSecretRead(t, testkube.Reader, "strata")
		got, err := reader.ReadSecret(ctx, ref)
		if err != nil || !bytes.Equal(got[model.SecretCertKey], want[model.SecretCertKey]) {
			t.Errorf("after the grant: got %q, %v; want the Secret", got[model.SecretCertKey], err)
		}
	})
	t.Run("credentials the API does not know are told apart from missing rights",
		func(t *testing.T) {
			k, err := NewKubernetes(writeKubeconfig(t, kube.URL, kube.CA))
			if err != nil {
				t.Fatal(err)
			}
			_, err = k.ReadSecret(ctx, ref)
			wantErr(t, err, "did not accept the control plane's credentials (Unauthorized)",
				"check the user of its kubeconfig")
		})
	t.Run("an API that does not answer is named", func(t *testing.T) {
		addr := closedAddr(t)
		k, err := NewKubernetes(writeKubeconfig(t, "https://"+addr, kube.CA))
		if err != nil {
			t.Fatal(err)
		}
		_, err = k.ReadSecret(ctx, ref)
		wantErr(t, err, "reading Secret kubernetes:strata/tenant-tls from the Kubernetes API "+
			"at https://"+addr)
	})
}

func TestNewKubernetesNamesABadKubeconfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing")
	_, err := NewKubernetes(path)
	wantErr(t, err, "kubeconfig "+path)
}

func createNamespace(t *testing.T, kube *testkube.Cluster, name string) {
	t.Helper()
	_, err := kube.Client.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func createSecret(t *testing.T, kube *testkube.Cluster, ns, name string,
	data map[string][]byte) {
	t.Helper()
	_, err := kube.Client.CoreV1().Secrets(ns).Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// closedAddr returns a loopback address that nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// writeKubeconfig writes a kubeconfig for server, trusting ca, with a
// made-up token.
func writeKubeconfig(t *testing.T, server string, ca []byte) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "nobody"}
	cfg.Contexts["x"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	cfg.CurrentContext = "x"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one saying %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("got %q, want it to say %q", err, p)
		}
	}
}

func keys(m map[string][]byte) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return fmt.Sprint(ks)
}
