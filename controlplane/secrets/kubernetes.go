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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/strata-storage/strata/controlplane/model"
)

// readTimeout bounds one read of a Secret.
const readTimeout = 10 * time.Second

// maxSecretBytes bounds the answer read for one Secret: Kubernetes keeps
// Secrets under 1 MiB.
const maxSecretBytes = 4 << 20

// Kubernetes reads Secrets from a Kubernetes API server. It asks for one
// Secret at a time with the kubeconfig's credentials (client-go's
// transport: tokens, client certificates, exec plugins), without
// client-go's typed clients and API types, which would add some 40 MB of
// every API group to the control plane's binary for one GET.
type Kubernetes struct {
	client *http.Client
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
	c, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("Kubernetes client for %s: %w", cfg.Host, err)
	}
	return &Kubernetes{client: c, host: strings.TrimSuffix(cfg.Host, "/")}, nil
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
	u := k.host + "/api/v1/namespaces/" + url.PathEscape(ref.Namespace) + "/secrets/" +
		url.PathEscape(ref.Name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading Secret %s from the Kubernetes API at %s: %w", ref,
			k.host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSecretBytes))
	if err != nil {
		return nil, fmt.Errorf("reading Secret %s from the Kubernetes API at %s: %w", ref,
			k.host, err)
	}
	if resp.StatusCode == http.StatusOK {
		var s secret
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, fmt.Errorf("Secret %s from the Kubernetes API at %s does not "+
				"parse: %w", ref, k.host, err)
		}
		return s.Data, nil
	}
	return nil, k.refusal(ref, resp.StatusCode, body)
}

// secret is the part of a Secret that ReadSecret reads: its data, whose
// values JSON carries in base64.
type secret struct {
	Data map[string][]byte `json:"data"`
}

// status is the part of a refusal's Status that ReadSecret reads.
type status struct {
	Reason string `json:"reason"`
}

// refusal says what to do about an answer other than 200.
func (k *Kubernetes) refusal(ref model.SecretRef, code int, body []byte) error {
	var st status
	reason := http.StatusText(code)
	if json.Unmarshal(body, &st) == nil && st.Reason != "" {
		reason = st.Reason
	}
	switch code {
	case http.StatusNotFound:
		return fmt.Errorf("Secret %s does not exist in the Kubernetes API at %s: create "+
			"it, e.g. kubectl create secret tls %s -n %s --cert=<chain.pem> --key=<key.pem>",
			ref, k.host, ref.Name, ref.Namespace)
	case http.StatusUnauthorized:
		return fmt.Errorf("the Kubernetes API at %s did not accept the control plane's "+
			"credentials (%s) when reading Secret %s: check the user of its kubeconfig "+
			"(a token that expired, or one for another cluster)", k.host, reason, ref)
	case http.StatusForbidden:
		return fmt.Errorf("the control plane may not read Secret %s in the Kubernetes "+
			"API at %s (%s): grant its identity get on secrets in namespace %s with a Role "+
			"and RoleBinding", ref, k.host, reason, ref.Namespace)
	default:
		return fmt.Errorf("reading Secret %s from the Kubernetes API at %s: %d %s", ref,
			k.host, code, reason)
	}
}
