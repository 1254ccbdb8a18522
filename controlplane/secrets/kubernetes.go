// Package secrets reads the Secrets that resources reference instead of
// carrying secret data themselves: a tenant's provided certificate named
// by spec.tls.secretRef (kubernetes:<namespace>/<name>) is read from the
// Kubernetes API with client-go, on every reconcile, so that a certificate
// renewed in its Secret (by cert-manager, say) reaches the tenant's nodes
// within one resync.
//
// The control plane reaches the API with a kubeconfig file
// (strata-controlplane serve --kubeconfig, or $KUBECONFIG) or, inside a
// Kubernetes pod, with its service account. Its identity needs only get
// on the Secrets that tenants name: a Role in the namespace that holds
// tenants' certificates, not a ClusterRole. Any tenant may name any Secret
// that identity can read, so keep that namespace for tenant certificates.
//
// The package never logs and never puts secret data in its errors.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/strata-storage/strata/controlplane/model"
)

// readTimeout bounds one read of a Secret.
const readTimeout = 10 * time.Second

// Kubernetes reads Secrets from a Kubernetes API server.
type Kubernetes struct {
	client kubernetes.Interface
	host   string
}

var _ model.SecretReader = (*Kubernetes)(nil)

// NewKubernetes returns a reader that reaches the API server with the
// kubeconfig file at path (its current context).
func NewKubernetes(path string) (*Kubernetes, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	return newKubernetes(cfg)
}

// InCluster returns a reader that uses the service account of the pod it
// runs in, and false when it does not run in a Kubernetes pod.
func InCluster() (*Kubernetes, bool, error) {
	cfg, err := rest.InClusterConfig()
	if errors.Is(err, rest.ErrNotInCluster) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("the pod's Kubernetes service account: %w", err)
	}
	k, err := newKubernetes(cfg)
	return k, err == nil, err
}

func newKubernetes(cfg *rest.Config) (*Kubernetes, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "strata-controlplane"
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("Kubernetes client for %s: %w", cfg.Host, err)
	}
	return &Kubernetes{client: c, host: cfg.Host}, nil
}

// Host is the API server's address.
func (k *Kubernetes) Host() string { return k.host }

// ReadSecret returns the data of the Secret ref names. Its errors say what
// to do: create the Secret, grant the control plane get on it, or check
// the API server.
func (k *Kubernetes) ReadSecret(ctx context.Context, ref model.SecretRef) (map[string][]byte,
	error) {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	s, err := k.client.CoreV1().Secrets(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		return s.Data, nil
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("Secret %s does not exist in the Kubernetes API at %s: create "+
			"it, e.g. kubectl create secret tls %s -n %s --cert=<chain.pem> --key=<key.pem>",
			ref, k.host, ref.Name, ref.Namespace)
	case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err):
		return nil, fmt.Errorf("the control plane may not read Secret %s in the Kubernetes "+
			"API at %s (%s): grant its identity get on secrets in namespace %s with a Role "+
			"and RoleBinding", ref, k.host, apierrors.ReasonForError(err), ref.Namespace)
	default:
		return nil, fmt.Errorf("reading Secret %s from the Kubernetes API at %s: %w", ref,
			k.host, err)
	}
}
