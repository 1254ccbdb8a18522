package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/internal/testcp"
	"github.com/strata-storage/strata/internal/testkube"
)

// tlsValue is a tls attribute with source and files; "" is null.
func tlsValue(source, cert, key string) types.Object {
	return tlsSecretValue(source, cert, key, "")
}

// tlsSecretValue is tlsValue with a secret reference.
func tlsSecretValue(source, cert, key, ref string) types.Object {
	return types.ObjectValueMust(tlsType.AttrTypes, map[string]attr.Value{
		"source": nullIfEmpty(source), "cert_file": nullIfEmpty(cert),
		"key_file": nullIfEmpty(key), "ca_file": types.StringNull(),
		"secret_ref": nullIfEmpty(ref),
	})
}

func TestValidateTenantTLS(t *testing.T) {
	t.Parallel()
	tls := path.Root("tls")
	tests := []struct {
		name      string
		tls       types.Object
		wantPaths []path.Path
	}{
		{"an internal source is valid", tlsValue("internal", "", ""), nil},
		{"an empty tls block is valid", tlsValue("", "", ""), nil},
		{"a provided source with files is valid", tlsValue("provided", "c.pem", "k.pem"), nil},
		{"a provided source needs both files", tlsValue("provided", "", ""),
			[]path.Path{tls.AtName("cert_file"), tls.AtName("key_file")}},
		{"files with the internal source are refused", tlsValue("internal", "c.pem", ""),
			[]path.Path{tls.AtName("cert_file")}},
		{"a provided source by secret reference is valid",
			tlsSecretValue("provided", "", "", "kubernetes:strata/tls"), nil},
		{"files beside a secret reference are refused",
			tlsSecretValue("provided", "c.pem", "", "kubernetes:strata/tls"),
			[]path.Path{tls.AtName("cert_file")}},
		{"a secret reference of another form is refused",
			tlsSecretValue("provided", "", "", "strata/tls"),
			[]path.Path{tls.AtName("secret_ref")}},
		{"a tls block with unknown values is left for later", types.ObjectUnknown(
			tlsType.AttrTypes), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := tenantConfig(pool4("p0"))
			m.TLS = tt.tls
			diags := validateTenant(context.Background(), m)
			if len(diags) != len(tt.wantPaths) {
				t.Fatalf("got %d diagnostics (%s), want %d", len(diags), diagText(diags),
					len(tt.wantPaths))
			}
			for i, d := range diags {
				p, ok := d.(interface{ Path() path.Path })
				if !ok || !p.Path().Equal(tt.wantPaths[i]) {
					t.Errorf("diagnostic %d: got %v, want one at %s", i, d, tt.wantPaths[i])
				}
			}
		})
	}
}

// TestAnEmptyAuditTargetListIsRefusedOnce: the list's own validator
// refuses `audit = { targets = [] }`; the API's rule on the same field is
// not added as a second error.
func TestAnEmptyAuditTargetListIsRefusedOnce(t *testing.T) {
	t.Parallel()
	m := tenantConfig(pool4("p0"))
	m.Audit = types.ObjectValueMust(auditType.AttrTypes, map[string]attr.Value{
		"targets": types.ListValueMust(logTargetType, nil)})
	if diags := validateTenant(context.Background(), m); len(diags) != 0 {
		t.Errorf("got %d diagnostics (%s), want none beside the list validator's", len(diags),
			diagText(diags))
	}
	var resp validator.ListResponse
	nonEmptyList{"give at least one target"}.ValidateList(context.Background(),
		validator.ListRequest{Path: path.Root("audit").AtName("targets"),
			ConfigValue: types.ListValueMust(logTargetType, nil)}, &resp)
	if resp.Diagnostics.ErrorsCount() != 1 {
		t.Errorf("the list validator: got %d errors, want 1", resp.Diagnostics.ErrorsCount())
	}
}

// providedCertFiles writes a certificate for the local endpoint, followed
// by its CA, and its key into a temporary directory.
func providedCertFiles(t *testing.T) (cert, key string, ca *pki.CA) {
	t.Helper()
	ca, err := pki.NewCA("provider test CA")
	if err != nil {
		t.Fatal(err)
	}
	iss, err := ca.IssueServer("s3", []string{"127.0.0.1", "localhost"}, time.Hour)
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
	return cert, key, ca
}

func TestAccTenantTLS(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	cert, key, ca := providedCertFiles(t)
	addr := "strata_tenant.acme"
	tlsBlock := `tls = { source = "provided", cert_file = "` + cert + `", key_file = "` +
		key + `" }`
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config:      tenantHCL(cp, "", `kms = { key = "k1" }`),
				ExpectError: regexp.MustCompile(`Server-side encryption is not built`),
			},
			{
				Config: tenantHCL(cp, "", tlsBlock),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr,
						tfjsonpath.New("tls").AtMapKey("source"),
						knownvalue.StringExact("provided")),
					statecheck.ExpectKnownValue(addr,
						tfjsonpath.New("tls").AtMapKey("cert_file"),
						knownvalue.StringExact(cert)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ca_bundle"),
						knownvalue.StringExact(string(ca.CertPEM))),
				},
			},
			{Config: tenantHCL(cp, "", tlsBlock), PlanOnly: true},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Back to the internal CA: the node restarts in place and the
				// CA bundle becomes the tenant's own.
				Config: tenantHCL(cp, "", ""),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("ca_bundle")),
				}},
				Check: acc.TestCheckResourceAttrWith(addr, "ca_bundle", func(v string) error {
					if v == string(ca.CertPEM) || !strings.Contains(v, "BEGIN CERTIFICATE") {
						return fmt.Errorf("ca_bundle: got %.60q, want the tenant's own CA", v)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccTenantTLSFromAKubernetesSecret declares a tenant whose
// certificate is a Secret in a real kube-apiserver that the control plane
// reads through --kubeconfig.
func TestAccTenantTLSFromAKubernetesSecret(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	ctx := context.Background()
	kube := testkube.Start(t)
	cert, key, ca := providedCertFiles(t)
	if _, err := kube.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: "certs"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := kube.Client.CoreV1().Secrets("certs").Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "acme-tls"}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: readFile(t, cert),
			corev1.TLSPrivateKeyKey: readFile(t, key), "ca.crt": ca.CertPEM}},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cp := testcp.StartWith(t, testcp.Options{Args: []string{"--kubeconfig", kube.Kubeconfig}})
	addr := "strata_tenant.acme"
	tlsBlock := func(ref string) string {
		return `tls = { source = "provided", secret_ref = "` + ref + `" }`
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config:      tenantHCL(cp, "", tlsBlock("certs/acme-tls")),
				ExpectError: regexp.MustCompile(`write\s+kubernetes:<namespace>/<name>`),
			},
			{
				Config:      tenantHCL(cp, "", tlsBlock("kubernetes:certs/gone")),
				ExpectError: regexp.MustCompile(`Secret\s+kubernetes:certs/gone\s+does\s+not\s+exist`),
			},
			{
				Config: tenantHCL(cp, "", tlsBlock("kubernetes:certs/acme-tls")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr,
						tfjsonpath.New("tls").AtMapKey("secret_ref"),
						knownvalue.StringExact("kubernetes:certs/acme-tls")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ca_bundle"),
						knownvalue.StringExact(string(ca.CertPEM))),
				},
			},
			{Config: tenantHCL(cp, "", tlsBlock("kubernetes:certs/acme-tls")), PlanOnly: true},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
		},
	})
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logSink is a webhook on loopback that counts the JSON records POSTed to
// it whose message is "storaged listening": one per start of a node.
type logSink struct {
	*httptest.Server
	starts atomic.Int64
}

func newLogSink(t *testing.T) *logSink {
	t.Helper()
	s := &logSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		var rec struct {
			Message string `json:"message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if rec.Message == "storaged listening" {
			s.starts.Add(1)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestAccTenantAuditAndLogTargets declares audit and log targets, and sees
// the node's log reach the declared webhook.
func TestAccTenantAuditAndLogTargets(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	sink := newLogSink(t)
	addr := "strata_tenant.acme"
	settings := `audit = { targets = [{ type = "webhook", endpoint = "` + sink.URL +
		`/audit" }] }
  log_targets = [{ type = "webhook", endpoint = "` + sink.URL + `/logs" },
    { type = "elasticsearch", endpoint = "http://127.0.0.1:9", index = "strata" }]`
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config:      tenantHCL(cp, "", `log_targets = [{ type = "syslog", endpoint = "x" }]`),
				ExpectError: regexp.MustCompile(`"syslog" is not a target type`),
			},
			{
				Config:      tenantHCL(cp, "", `log_targets = []`),
				ExpectError: regexp.MustCompile(`The list is empty: give at least one target`),
			},
			{
				Config: tenantHCL(cp, "", settings),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("audit").AtMapKey("targets").
						AtSliceIndex(0).AtMapKey("endpoint"), knownvalue.StringExact(sink.URL+"/audit")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("log_targets").
						AtSliceIndex(1).AtMapKey("index"), knownvalue.StringExact("strata")),
				},
				Check: func(*terraform.State) error {
					for range 100 {
						if sink.starts.Load() > 0 {
							return nil
						}
						time.Sleep(100 * time.Millisecond)
					}
					return fmt.Errorf("the log webhook got no \"storaged listening\" record " +
						"within 10s of the apply")
				},
			},
			{Config: tenantHCL(cp, "", settings), PlanOnly: true},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
		},
	})
}
