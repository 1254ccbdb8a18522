package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/testcp"
)

// accFactories serves the provider in-process to the terraform CLI.
func accFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"strata": providerserver.NewProtocol6WithError(New("test")()),
	}
}

// envTerraformPath names the terraform CLI the acceptance tests run.
const envTerraformPath = "TF_ACC_TERRAFORM_PATH"

// requireAcceptance fails t, rather than letting it be skipped, when the
// acceptance tests cannot run: they need TF_ACC and a terraform CLI on this
// machine (they never download one).
func requireAcceptance(t *testing.T) {
	t.Helper()
	if os.Getenv(acc.EnvTfAcc) == "" {
		t.Fatal("acceptance tests need TF_ACC=1 (make test sets it) and the terraform CLI")
	}
	if err := checkCLI(os.Getenv); err != nil {
		t.Fatal(err)
	}
}

// providerBlock is the provider configuration for cp with the given token.
func providerBlock(cp *testcp.ControlPlane, token string) string {
	return fmt.Sprintf(`
provider "strata" {
  endpoint = %q
  token    = %q
  ca_cert  = %q
}
`, cp.Endpoint, token, cp.CACertFile)
}

// nonEmpty matches any value that is set.
func nonEmpty() *regexp.Regexp { return regexp.MustCompile(`.`) }

// save stores an attribute's value in dst for a later sameAs.
func save(dst *string) func(string) error {
	return func(v string) error {
		*dst = v
		return nil
	}
}

// sameAs checks that an attribute still holds the value saved in want.
func sameAs(want *string) func(string) error {
	return func(got string) error {
		if got != *want {
			return fmt.Errorf("got %q, want it unchanged: %q", got, *want)
		}
		return nil
	}
}

// localCluster is the configuration of a local cluster named "local".
const localCluster = `
resource "strata_cluster" "local" {
  name = "local"
  kind = "local"
}
`

// writePEM writes a fresh self-signed CA certificate to dir and returns its
// PEM and path.
func writePEM(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	file := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(file, []byte(p), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, file
}

func TestClientConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	caPEM, caFile := writePEM(t, dir)
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := providerModel{
		Endpoint: types.StringValue("https://127.0.0.1:7443"),
		Token:    types.StringValue("secret"),
		CACert:   types.StringNull(),
	}
	with := func(f func(*providerModel)) providerModel { m := full; f(&m); return m }
	empty := providerModel{types.StringNull(), types.StringNull(), types.StringNull()}
	env := client.Config{Endpoint: "https://10.0.0.1:7443", Token: "env-token",
		CACertFile: caFile}

	tests := []struct {
		name         string
		m            providerModel
		env          client.Config
		wantEndpoint string
		wantToken    string
		wantCA       bool
		wantErr      []string // words the diagnostics must hold, in order
	}{
		{"the provider block is used", full, client.Config{},
			"https://127.0.0.1:7443", "secret", false, nil},
		{"the environment fills in what the block leaves out", empty, env,
			"https://10.0.0.1:7443", "env-token", true, nil},
		{"the block wins over the environment", full, env,
			"https://127.0.0.1:7443", "secret", true, nil},
		{"a missing endpoint names the attribute and the variable",
			with(func(m *providerModel) { m.Endpoint = types.StringNull() }), client.Config{},
			"", "", false, []string{"Missing Strata endpoint", "STRATA_ENDPOINT"}},
		{"a missing token names the attribute and the variable",
			with(func(m *providerModel) { m.Token = types.StringValue("") }), client.Config{},
			"", "", false, []string{"Missing Strata token", "STRATA_TOKEN"}},
		{"an unknown endpoint is an error",
			with(func(m *providerModel) { m.Endpoint = types.StringUnknown() }), env,
			"", "", false, []string{"Unknown Strata endpoint"}},
		{"an endpoint that is no URL is an error",
			with(func(m *providerModel) { m.Endpoint = types.StringValue("127.0.0.1:7443") }),
			client.Config{}, "", "", false, []string{"Invalid Strata endpoint"}},
		{"ca_cert may be the PEM itself",
			with(func(m *providerModel) { m.CACert = types.StringValue(caPEM) }),
			client.Config{}, "https://127.0.0.1:7443", "secret", true, nil},
		{"ca_cert may be a path",
			with(func(m *providerModel) { m.CACert = types.StringValue(caFile) }),
			client.Config{}, "https://127.0.0.1:7443", "secret", true, nil},
		{"a ca_cert path that does not exist is an error",
			with(func(m *providerModel) { m.CACert = types.StringValue(dir + "/none.pem") }),
			client.Config{}, "", "", false, []string{"Cannot read Strata CA certificate",
				"STRATA_CA_CERT"}},
		{"a ca_cert file without a certificate is an error",
			with(func(m *providerModel) { m.CACert = types.StringValue(garbage) }),
			client.Config{}, "", "", false, []string{"Invalid Strata CA certificate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, diags := clientConfig(tt.m, tt.env)
			if len(tt.wantErr) > 0 {
				got := fmt.Sprint(diags)
				for _, want := range tt.wantErr {
					if !strings.Contains(got, want) {
						t.Errorf("got diagnostics %s, want them to contain %q", got, want)
					}
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("got diagnostics %v, want none", diags)
			}
			if cfg.Endpoint != tt.wantEndpoint || cfg.Token != tt.wantToken ||
				(cfg.CACertPEM != nil) != tt.wantCA {
				t.Errorf("got endpoint %q, token %q, CA %v; want %q, %q, %v", cfg.Endpoint,
					cfg.Token, cfg.CACertPEM != nil, tt.wantEndpoint, tt.wantToken, tt.wantCA)
			}
		})
	}
}

func TestSchemasAreValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := New("test")()
	var presp fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &presp)
	if diags := presp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Errorf("got provider schema diagnostics %v, want none", diags)
	}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "strata"}, &meta)
		t.Run(meta.TypeName+" has a valid, documented schema", func(t *testing.T) {
			t.Parallel()
			var resp resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &resp)
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Errorf("got diagnostics %v, want none", diags)
			}
			for name, a := range resp.Schema.Attributes {
				if a.GetDescription() == "" || a.GetMarkdownDescription() == "" {
					t.Errorf("got no description on %s, want one", name)
				}
			}
		})
	}
}

func TestDataSourceSchemasAreValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := New("test")()
	sources := p.DataSources(ctx)
	if len(sources) != 3 {
		t.Errorf("got %d data sources, want strata_tenant, strata_bucket, strata_buckets",
			len(sources))
	}
	for _, newDataSource := range sources {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "strata"}, &meta)
		t.Run(meta.TypeName+" has a valid, documented schema", func(t *testing.T) {
			t.Parallel()
			var resp datasource.SchemaResponse
			d.Schema(ctx, datasource.SchemaRequest{}, &resp)
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Errorf("got diagnostics %v, want none", diags)
			}
			for name, a := range resp.Schema.Attributes {
				if a.GetDescription() == "" || a.GetMarkdownDescription() == "" {
					t.Errorf("got no description on %s, want one", name)
				}
			}
		})
	}
}

// TestAccWrongToken checks case P2: with a wrong token every operation fails
// with an authentication error and nothing is planned for re-creation.
func TestAccWrongToken(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	good := providerBlock(cp, cp.Token) + localCluster
	bad := providerBlock(cp, "not-the-token") + localCluster
	authErr := regexp.MustCompile(`Cannot read cluster "local": authentication failed`)

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{Config: good},
			{Config: bad, PlanOnly: true, ExpectError: authErr},
			{Config: bad, ExpectError: authErr},
			{RefreshState: true, ExpectError: authErr},
			{Config: bad, Destroy: true, ExpectError: authErr},
			{Config: bad, ResourceName: "strata_cluster.local", ImportState: true,
				ImportStateId: "local", ExpectError: authErr},
			{
				Config: good,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("strata_cluster.local",
						plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

func TestUnreadLogLevelsFollowWhatTerraformKeeps(t *testing.T) {
	t.Parallel()
	allOff := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off",
		"TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_STRATA": "off"}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"no log setting turns every SDK logger off", nil, allOff},
		{"TF_LOG=off turns them off", map[string]string{"TF_LOG": "OFF"}, allOff},
		{"TF_LOG=trace keeps them", map[string]string{"TF_LOG": "trace"}, nil},
		{"TF_LOG_PROVIDER=info keeps them", map[string]string{"TF_LOG_PROVIDER": "info"}, nil},
		{
			"TF_LOG_PROVIDER=off wins over TF_LOG=trace",
			map[string]string{"TF_LOG_PROVIDER": "off", "TF_LOG": "trace"},
			allOff,
		},
		{
			"a level the user set is left alone",
			map[string]string{"TF_LOG_SDK_PROTO": "trace"},
			map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "off",
				"TF_LOG_PROVIDER_STRATA": "off"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := UnreadLogLevels(func(name string) string { return tt.env[name] })
			if !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
