package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
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
		{"a secret reference is refused", "secret",
			`"tls":{"source":"provided","secretRef":"ns/cert"}`, http.StatusUnprocessableEntity,
			"spec.tls.secretRef", model.NotBuiltSecretRef},
		{"a KMS binding is refused", "kms", `"kms":{"key":"k1"}`,
			http.StatusUnprocessableEntity, "spec.kms", model.NotBuiltKMS},
		{"prometheus metrics are accepted", "prom", `"monitoring":{"prometheus":true}`,
			http.StatusCreated, "", ""},
		{"audit targets are refused", "audit",
			`"audit":{"targets":[{"type":"webhook","endpoint":"https://127.0.0.1:1/x"}]}`,
			http.StatusUnprocessableEntity, "spec.audit", model.NotBuiltAudit},
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
