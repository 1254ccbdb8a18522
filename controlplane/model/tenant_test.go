package model

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/pki"
)

// fields returns the paths of the violations.
func fields(v Violations) []string {
	out := make([]string, len(v))
	for i, f := range v {
		out[i] = f.Field
	}
	return out
}

func TestTenantSettingsShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec TenantSpec
		want []string
	}{
		{"no settings are valid", TenantSpec{}, nil},
		{"an internal source alone is valid",
			TenantSpec{TLS: &TenantTLS{Source: TLSSourceInternal}}, nil},
		{"a provided source needs both files",
			TenantSpec{TLS: &TenantTLS{Source: TLSSourceProvided}},
			[]string{"spec.tls.certFile", "spec.tls.keyFile"}},
		{"a provided source by secret reference needs no files",
			TenantSpec{TLS: &TenantTLS{Source: TLSSourceProvided,
				SecretRef: "kubernetes:strata/tenant-tls"}}, nil},
		{"a secret reference of another form is refused",
			TenantSpec{TLS: &TenantTLS{Source: TLSSourceProvided, SecretRef: "strata/cert"}},
			[]string{"spec.tls.secretRef"}},
		{"files beside a secret reference are refused",
			TenantSpec{TLS: &TenantTLS{Source: TLSSourceProvided,
				SecretRef: "kubernetes:strata/tenant-tls", CertFile: "c", KeyFile: "k"}},
			[]string{"spec.tls.certFile", "spec.tls.keyFile"}},
		{"a secret reference with the internal source is refused",
			TenantSpec{TLS: &TenantTLS{Source: TLSSourceInternal,
				SecretRef: "kubernetes:strata/tenant-tls"}}, []string{"spec.tls.secretRef"}},
		{"files with the internal source are refused",
			TenantSpec{TLS: &TenantTLS{Source: TLSSourceInternal, CertFile: "c"}},
			[]string{"spec.tls.certFile"}},
		{"an unknown source is refused",
			TenantSpec{TLS: &TenantTLS{Source: "cert-manager"}}, []string{"spec.tls.source"}},
		{"a KMS binding needs a key name",
			TenantSpec{KMS: &TenantKMS{}}, []string{"spec.kms.key"}},
		{"an audit block needs a target",
			TenantSpec{Audit: &TenantAudit{}}, []string{"spec.audit.targets"}},
		{"a log target needs a known type and a URL",
			TenantSpec{LogTargets: []LogTarget{{Type: "syslog", Endpoint: "nowhere"}}},
			[]string{"spec.logTargets[0].type", "spec.logTargets[0].endpoint"}},
		{"a query on a webhook is fine, credentials are refused",
			TenantSpec{LogTargets: []LogTarget{
				{Type: LogTargetWebhook, Endpoint: "https://hooks.example/x?token=t"},
				{Type: LogTargetElasticsearch, Endpoint: "http://elastic:pw@127.0.0.1:9200"}}},
			[]string{"spec.logTargets[1].endpoint"}},
		{"the same target twice is refused",
			TenantSpec{Audit: &TenantAudit{Targets: []LogTarget{
				{Type: LogTargetWebhook, Endpoint: "https://hooks.example/x"},
				{Type: LogTargetWebhook, Endpoint: "https://hooks.example/x/"}}}},
			[]string{"spec.audit.targets[1]"}},
		{"an index Elasticsearch refuses is refused",
			TenantSpec{LogTargets: []LogTarget{{Type: LogTargetElasticsearch,
				Endpoint: "http://127.0.0.1:9200", Index: "Bad Index"}}},
			[]string{"spec.logTargets[0].index"}},
		{"a webhook takes no index",
			TenantSpec{LogTargets: []LogTarget{{Type: LogTargetWebhook,
				Endpoint: "https://hooks.example/x", Index: "i"}}},
			[]string{"spec.logTargets[0].index"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.spec.DefaultSettings()
			if got := fields(tt.spec.ValidateSettings()); !slices.Equal(got, tt.want) {
				t.Errorf("got violations at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTenantSettingsNotBuilt(t *testing.T) {
	t.Parallel()
	target := LogTarget{Type: LogTargetElasticsearch, Endpoint: "http://127.0.0.1:9200"}
	tests := []struct {
		name string
		spec TenantSpec
		want string
		msg  string
	}{
		{"a KMS binding is refused", TenantSpec{KMS: &TenantKMS{Key: "k"}}, "spec.kms",
			NotBuiltKMS},
		{"audit targets are accepted", TenantSpec{Audit: &TenantAudit{
			Targets: []LogTarget{target}}}, "", ""},
		{"log targets are accepted", TenantSpec{LogTargets: []LogTarget{target}}, "", ""},
		{"prometheus is accepted", TenantSpec{Monitoring: &TenantMonitoring{Prometheus: true}},
			"", ""},
		{"monitoring without prometheus is accepted",
			TenantSpec{Monitoring: &TenantMonitoring{}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.spec.NotBuilt()
			if tt.want == "" {
				if len(v) != 0 {
					t.Errorf("got %v, want no violation", v)
				}
				return
			}
			if len(v) != 1 || v[0].Field != tt.want || v[0].Description != tt.msg {
				t.Errorf("got %v, want one violation at %s saying %q", v, tt.want, tt.msg)
			}
		})
	}
}

// certFiles writes a certificate for hosts from a new CA (followed by the
// CA) and its key into a temporary directory, and a key of another
// certificate; it returns their paths and the CA.
func certFiles(t *testing.T, hosts ...string) (cert, key, otherKey string, ca *pki.CA) {
	t.Helper()
	ca, err := pki.NewCA("model test CA")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	iss, err := ca.IssueServer("endpoint", hosts, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.IssueServer("other", hosts, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return write("cert.pem", append(iss.CertPEM, ca.CertPEM...)), write("key.pem", iss.KeyPEM),
		write("other-key.pem", other.KeyPEM), ca
}

func TestValidateProvidedTLS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cert, key, otherKey, ca := certFiles(t, "127.0.0.1", "localhost")
	narrow, narrowKey, _, _ := certFiles(t, "s3.example.test")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	local := []string{"127.0.0.1", "localhost"}
	tests := []struct {
		name  string
		tls   TenantTLS
		hosts []string
		want  []string
	}{
		{"a matching pair that covers the hosts is valid",
			TenantTLS{CertFile: cert, KeyFile: key}, local, nil},
		{"missing files are reported at their paths",
			TenantTLS{CertFile: cert + ".gone", KeyFile: key + ".gone"}, local,
			[]string{"spec.tls.certFile", "spec.tls.keyFile"}},
		{"a file without a certificate is refused",
			TenantTLS{CertFile: garbage, KeyFile: key}, local, []string{"spec.tls.certFile"}},
		{"a CA file without a certificate is refused",
			TenantTLS{CertFile: cert, KeyFile: key, CAFile: garbage}, local,
			[]string{"spec.tls.caFile"}},
		{"the key of another certificate is refused",
			TenantTLS{CertFile: cert, KeyFile: otherKey}, local, []string{"spec.tls.keyFile"}},
		{"a certificate that does not cover the endpoint is refused",
			TenantTLS{CertFile: narrow, KeyFile: narrowKey}, local,
			[]string{"spec.tls.certFile", "spec.tls.certFile"}},
		{"without known hosts any name is accepted",
			TenantTLS{CertFile: narrow, KeyFile: narrowKey}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.tls.Source = TLSSourceProvided
			var v Violations
			pc := ValidateProvidedTLS(ctx, &v, "spec.tls", &tt.tls, tt.hosts, nil)
			if got := fields(v); !slices.Equal(got, tt.want) {
				t.Fatalf("got violations %v, want at %v", v, tt.want)
			}
			if (pc == nil) != (len(tt.want) > 0) {
				t.Errorf("got certificate %v with %d violations; want one only when valid",
					pc != nil, len(v))
			}
		})
	}
	t.Run("the CA bundle defaults to the chain's last certificate", func(t *testing.T) {
		t.Parallel()
		var v Violations
		pc := ValidateProvidedTLS(ctx, &v, "spec.tls", &TenantTLS{Source: TLSSourceProvided,
			CertFile: cert, KeyFile: key}, local, nil)
		if pc == nil {
			t.Fatalf("got violations %v, want none", v)
		}
		if string(pc.CAPEM) != string(ca.CertPEM) {
			t.Errorf("got bundle %q, want the CA's PEM", pc.CAPEM)
		}
		if pc.NotAfter().Before(time.Now()) {
			t.Errorf("got expiry %s, want in the future", pc.NotAfter())
		}
	})
}

func TestParseSecretRef(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64)
	tests := []struct {
		in      string
		want    SecretRef
		wantErr string
	}{
		{"kubernetes:strata/tenant-a-tls", SecretRef{"strata", "tenant-a-tls"}, ""},
		{"kubernetes:default/s3.example.com", SecretRef{"default", "s3.example.com"}, ""},
		{"strata/tenant-a-tls", SecretRef{}, "write kubernetes:<namespace>/<name>"},
		{"kubernetes:tenant-a-tls", SecretRef{}, "write kubernetes:<namespace>/<name>"},
		{"vault:secret/tls", SecretRef{}, "write kubernetes:<namespace>/<name>"},
		{"kubernetes:Strata/tls", SecretRef{}, "namespace \"Strata\""},
		{"kubernetes:" + long + "/tls", SecretRef{}, "is not a Kubernetes namespace name"},
		{"kubernetes:strata/", SecretRef{}, "is not a Kubernetes Secret name"},
		{"kubernetes:strata/a/b", SecretRef{}, "is not a Kubernetes Secret name"},
		{"kubernetes:strata/-tls", SecretRef{}, "is not a Kubernetes Secret name"},
		// Both parts wrong: both named at once.
		{"kubernetes:Strata/demo_tls", SecretRef{}, "namespace \"Strata\" is not a " +
			"Kubernetes namespace name (at most 63 lower-case letters, digits and '-', " +
			"starting and ending with a letter or digit); and \"demo_tls\" is not a " +
			"Kubernetes Secret name"},
	}
	for _, tt := range tests {
		got, err := ParseSecretRef(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want || got.String() != tt.in {
				t.Errorf("%q: got %+v (%q), %v; want %+v", tt.in, got, got.String(), err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%q: got %v, want an error saying %q", tt.in, err, tt.wantErr)
		}
	}
}

// secretMap is a SecretReader over Secrets held in memory, for the checks
// of what a Secret holds; the Kubernetes reader is tested against a real
// API server in package secrets.
type secretMap map[SecretRef]map[string][]byte

func (m secretMap) ReadSecret(_ context.Context, ref SecretRef) (map[string][]byte, error) {
	d, ok := m[ref]
	if !ok {
		return nil, errors.New("Secret " + ref.String() + " does not exist")
	}
	return d, nil
}

func TestValidateProvidedTLSFromASecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cert, key, otherKey, ca := certFiles(t, "127.0.0.1", "localhost")
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	secrets := secretMap{
		{"s", "good"}:      {SecretCertKey: read(cert), SecretKeyKey: read(key)},
		{"s", "with-ca"}:   {SecretCertKey: read(cert), SecretKeyKey: read(key), SecretCAKey: ca.CertPEM},
		{"s", "no-key"}:    {SecretCertKey: read(cert)},
		{"s", "other-key"}: {SecretCertKey: read(cert), SecretKeyKey: read(otherKey)},
		{"s", "bad-ca"}:    {SecretCertKey: read(cert), SecretKeyKey: read(key), SecretCAKey: []byte("x")},
	}
	local := []string{"127.0.0.1", "localhost"}
	tests := []struct {
		name, ref string
		secrets   SecretReader
		hosts     []string
		want      string // in the one violation's description; "" when valid
	}{
		{"a TLS Secret that covers the hosts is valid", "kubernetes:s/good", secrets, local, ""},
		{"a CA bundle in ca.crt is taken", "kubernetes:s/with-ca", secrets, local, ""},
		{"a missing Secret is reported", "kubernetes:s/gone", secrets, local,
			"Secret kubernetes:s/gone does not exist"},
		{"a Secret without tls.key is refused", "kubernetes:s/no-key", secrets, local,
			"has no tls.key"},
		{"the key of another certificate is refused", "kubernetes:s/other-key", secrets, local,
			"tls.key of Secret kubernetes:s/other-key does not hold the private key"},
		{"a ca.crt without a certificate is refused", "kubernetes:s/bad-ca", secrets, local,
			"ca.crt of Secret kubernetes:s/bad-ca: holds no PEM certificate"},
		{"a certificate that does not cover the endpoint is refused", "kubernetes:s/good",
			secrets, []string{"s3.example.test"}, "does not cover the endpoint's host"},
		{"without a Kubernetes API the reference is refused", "kubernetes:s/good", nil, local,
			NoSecretReader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v Violations
			pc := ValidateProvidedTLS(ctx, &v, "spec.tls", &TenantTLS{
				Source: TLSSourceProvided, SecretRef: tt.ref}, tt.hosts, tt.secrets)
			if tt.want == "" {
				if len(v) != 0 || pc == nil {
					t.Fatalf("got %v, want the certificate", v)
				}
				if pc.Chain[0].VerifyHostname("localhost") != nil || len(pc.KeyPEM) == 0 ||
					string(pc.CAPEM) != string(ca.CertPEM) {
					t.Errorf("got chain %v, key %d bytes, CA %q; want the Secret's", pc.Chain,
						len(pc.KeyPEM), pc.CAPEM)
				}
				return
			}
			if pc != nil || len(v) != 1 || v[0].Field != "spec.tls.secretRef" ||
				!strings.Contains(v[0].Description, tt.want) {
				t.Errorf("got %v (certificate %v), want one violation of spec.tls.secretRef "+
					"saying %q", v, pc != nil, tt.want)
			}
		})
	}
}
