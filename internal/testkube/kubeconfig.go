package testkube

import (
	"path/filepath"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// restConfig returns the client configuration of user: the server, its CA
// and the user's bearer token.
func (c *Cluster) restConfig(user string) *rest.Config {
	return &rest.Config{
		Host:            c.URL,
		BearerToken:     c.tokens[user],
		TLSClientConfig: rest.TLSClientConfig{CAData: c.CA},
	}
}

// UserKubeconfig writes a kubeconfig file for the user name and returns
// its path. The server knows only Reader besides the administrator (its
// tokens are fixed before it starts); any other name fails the test.
func (c *Cluster) UserKubeconfig(t testing.TB, name string) string {
	t.Helper()
	if name == admin || c.tokens[name] == "" {
		t.Fatalf("testkube: the server has no token for user %q; use testkube.Reader", name)
	}
	return c.writeKubeconfig(t, name)
}

// writeKubeconfig writes a kubeconfig file whose current context is user
// on this cluster, as a user would pass to --kubeconfig.
func (c *Cluster) writeKubeconfig(t testing.TB, user string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["testkube"] = &clientcmdapi.Cluster{
		Server:                   c.URL,
		CertificateAuthorityData: c.CA,
	}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: c.tokens[user]}
	cfg.Contexts[user] = &clientcmdapi.Context{Cluster: "testkube", AuthInfo: user}
	cfg.CurrentContext = user

	path := filepath.Join(c.dir, user+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatalf("writing the kubeconfig of %s: %v", user, err)
	}
	return path
}
