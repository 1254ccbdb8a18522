package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
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

// writeProvided writes a certificate for hosts and its key into a
// temporary directory and returns their paths.
func writeProvided(t *testing.T, hosts ...string) (cert, key string) {
	t.Helper()
	ca, err := pki.NewCA("api test CA")
	if err != nil {
		t.Fatal(err)
	}
	iss, err := ca.IssueServer("endpoint", hosts, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, append(iss.CertPEM, ca.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, iss.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestTenantSettingsAreAdmittedOrRefused(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	cert, key := writeProvided(t, "127.0.0.1", "localhost")
	narrow, narrowKey := writeProvided(t, "s3.example.test")
	pools := `"pools":[{"name":"p","servers":1,"drivesPerServer":2}]`
	tlsBody := func(cert, key string) string {
		return fmt.Sprintf(`"tls":{"source":"provided","certFile":%q,"keyFile":%q}`, cert, key)
	}
	tests := []struct {
		name, tenant, settings string
		want                   int
		wantField, wantMsg     string
	}{
		{"a provided certificate for the local endpoint is accepted", "byo",
			tlsBody(cert, key), http.StatusCreated, "", ""},
		{"a provided certificate for another host is refused", "narrow",
			tlsBody(narrow, narrowKey), http.StatusUnprocessableEntity, "spec.tls.certFile", ""},
		{"a missing key file is refused at its path", "nokey",
			tlsBody(cert, key+".gone"), http.StatusUnprocessableEntity, "spec.tls.keyFile", ""},
		{"a provided source without files is invalid", "nofiles",
			`"tls":{"source":"provided"}`, http.StatusBadRequest, "spec.tls.certFile", ""},
		{"a secret reference of another form is invalid", "badref",
			`"tls":{"source":"provided","secretRef":"ns/cert"}`, http.StatusBadRequest,
			"spec.tls.secretRef", ""},
		{"a secret reference without a Kubernetes API is refused", "secret",
			`"tls":{"source":"provided","secretRef":"kubernetes:ns/cert"}`,
			http.StatusUnprocessableEntity, "spec.tls.secretRef", model.NoSecretReader},
		{"a KMS binding is refused", "kms", `"kms":{"key":"k1"}`,
			http.StatusUnprocessableEntity, "spec.kms", model.NotBuiltKMS},
		{"prometheus metrics are accepted", "prom", `"monitoring":{"prometheus":true}`,
			http.StatusCreated, "", ""},
		{"audit and log targets are accepted", "audit",
			`"audit":{"targets":[{"type":"webhook","endpoint":"https://127.0.0.1:1/x"}]},` +
				`"logTargets":[{"type":"elasticsearch","endpoint":"http://127.0.0.1:1",` +
				`"index":"logs"}]`, http.StatusCreated, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"spec":{"cluster":"local",` + pools + `,` + tt.settings + `}}`
			resp := do(t, ts, "PUT", "/v1/tenants/"+tt.tenant, body, nil)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.wantField == "" {
				return
			}
			var eb model.ErrorBody
			if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
				t.Fatal(err)
			}
			if !hasViolation(eb, tt.wantField) {
				t.Fatalf("got %+v, want a violation of %s", eb.Error, tt.wantField)
			}
			if tt.wantMsg != "" && eb.Error.Violations[0].Description != tt.wantMsg {
				t.Errorf("got message %q, want %q", eb.Error.Violations[0].Description,
					tt.wantMsg)
			}
		})
	}
	// The nodes restart to take these (see provision/local's tests, which
	// check that the endpoint then serves the other certificate and the
	// metrics come and go).
	t.Run("the metrics of a running tenant can be turned off", func(t *testing.T) {
		body := `{"spec":{"cluster":"local",` + pools + `,"monitoring":{"prometheus":false}}}`
		resp := do(t, ts, "PUT", "/v1/tenants/prom", body, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("got %d, want 200", resp.StatusCode)
		}
	})
	t.Run("the TLS source of a running tenant can change", func(t *testing.T) {
		body := `{"spec":{"cluster":"local",` + pools + `,"tls":{"source":"internal"}}}`
		resp := do(t, ts, "PUT", "/v1/tenants/byo", body, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("got %d, want 200", resp.StatusCode)
		}
	})
}

// TestASecretReferenceIsCheckedAgainstKubernetes admits tenants whose
// certificate is a Secret in a real kube-apiserver: a Secret with a
// certificate for the endpoint is accepted, and a missing Secret or one
// for another host is refused at spec.tls.secretRef with the reason.
func TestASecretReferenceIsCheckedAgainstKubernetes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kube := testkube.Start(t)
	if _, err := kube.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: "certs"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, hosts := range map[string][]string{"local": {"127.0.0.1", "localhost"},
		"narrow": {"s3.example.test"}} {
		cert, key := writeProvided(t, hosts...)
		_, err := kube.Client.CoreV1().Secrets("certs").Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Data: map[string][]byte{"tls.crt": readTestFile(t, cert),
				"tls.key": readTestFile(t, key)}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	reader, err := secrets.NewKubernetes(kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ts, c := newTestServerWithSecrets(t, reader)
	mustTenant(t, c)
	tests := []struct {
		name, tenant, ref string
		want              int
		wantMsg           string
	}{
		{"a Secret that covers the endpoint is accepted", "byo", "kubernetes:certs/local",
			http.StatusCreated, ""},
		{"a missing Secret is refused", "gone", "kubernetes:certs/gone",
			http.StatusUnprocessableEntity, "Secret kubernetes:certs/gone does not exist"},
		{"a Secret for another host is refused", "narrow", "kubernetes:certs/narrow",
			http.StatusUnprocessableEntity, "does not cover the endpoint's host 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"spec":{"cluster":"local","pools":[{"name":"p","servers":1,` +
				`"drivesPerServer":2}],"tls":{"source":"provided","secretRef":"` + tt.ref + `"}}}`
			resp := do(t, ts, "PUT", "/v1/tenants/"+tt.tenant, body, nil)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.wantMsg == "" {
				return
			}
			var eb model.ErrorBody
			if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
				t.Fatal(err)
			}
			v := eb.Error.Violations
			if len(v) == 0 || v[0].Field != "spec.tls.secretRef" ||
				!strings.Contains(v[0].Description, tt.wantMsg) {
				t.Errorf("got %+v, want a violation of spec.tls.secretRef saying %q", v,
					tt.wantMsg)
			}
		})
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
