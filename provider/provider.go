package provider

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/client"
)

// Address is the provider's source address in the Terraform registry.
const Address = "registry.terraform.io/strata-storage/strata"

// pemPrefix starts a ca_cert given inline rather than as a path.
const pemPrefix = "-----BEGIN"

// strataProvider is the Strata provider. It holds only its version; every
// resource gets the client from Configure.
type strataProvider struct {
	version string
}

var _ provider.Provider = (*strataProvider)(nil)

// New returns a function that builds the provider of the given version, as
// providerserver.Serve and the acceptance tests expect.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &strataProvider{version: version} }
}

// providerModel is the provider block's data.
type providerModel struct {
	Endpoint types.String `tfsdk:"endpoint"`
	Token    types.String `tfsdk:"token"`
	CACert   types.String `tfsdk:"ca_cert"`
}

// Metadata names the provider strata, so resource types start with strata_.
func (p *strataProvider) Metadata(_ context.Context, _ provider.MetadataRequest,
	resp *provider.MetadataResponse) {
	resp.TypeName = "strata"
	resp.Version = p.version
}

// Schema returns the provider block's schema.
func (p *strataProvider) Schema(_ context.Context, _ provider.SchemaRequest,
	resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func providerSchema() schema.Schema {
	md := "The Strata provider declares Strata's object storage: clusters, tenants, and " +
		"tenants' buckets, keys and tiers. It talks to the Strata control plane's REST API."
	endpointMD := "The control plane's URL, such as `https://127.0.0.1:7443`. Falls back " +
		"to the `" + client.EnvEndpoint + "` environment variable."
	tokenMD := "The bearer token of the control plane, such as the content of its " +
		"`admin.token` file. Falls back to the `" + client.EnvToken + "` environment variable."
	caMD := "The CA that signed the control plane's certificate: a path to a PEM file, or " +
		"the PEM itself when it starts with `-----BEGIN`. Falls back to the `" +
		client.EnvCACert + "` environment variable; without either, the system's roots " +
		"are used."
	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional:            true,
				Description:         plain(endpointMD),
				MarkdownDescription: endpointMD,
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				Description:         plain(tokenMD),
				MarkdownDescription: tokenMD,
			},
			"ca_cert": schema.StringAttribute{
				Optional:            true,
				Description:         plain(caMD),
				MarkdownDescription: caMD,
			},
		},
	}
}

// Configure builds the client from the provider block and the environment.
func (p *strataProvider) Configure(ctx context.Context, req provider.ConfigureRequest,
	resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := clientConfig(m, client.DefaultConfig())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.UserAgent = "terraform-provider-strata/" + p.version
	c, err := client.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Strata provider configuration",
			fmt.Sprintf("%v\n\n%s", err, adviceUnreachable))
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
}

// setting is one provider setting with its environment fallback.
type setting struct {
	attr, env string
	value     types.String
	fallback  string
}

// resolve returns the setting's value: the provider block's, else the
// environment's. It adds a diagnostic when the value is unknown, or when it
// is required and missing.
func (s setting) resolve(diags *diag.Diagnostics, required bool, example string) string {
	if s.value.IsUnknown() {
		diags.AddAttributeError(path.Root(s.attr), "Unknown Strata "+s.attr,
			fmt.Sprintf("The provider's %s depends on a value that is not known until "+
				"apply. Set it to a known value, or leave it out and set %s.", s.attr, s.env))
		return ""
	}
	v := s.value.ValueString()
	if v == "" {
		v = s.fallback
	}
	if v == "" && required {
		diags.AddAttributeError(path.Root(s.attr), "Missing Strata "+s.attr,
			fmt.Sprintf("Set %s in the provider block or the %s environment variable to %s.",
				s.attr, s.env, example))
	}
	return v
}

// clientConfig merges the provider block with env, the environment's
// configuration, and checks each setting so that a diagnostic names it.
func clientConfig(m providerModel, env client.Config) (client.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := client.Config{Timeout: env.Timeout, UserAgent: env.UserAgent}
	cfg.Endpoint = setting{"endpoint", client.EnvEndpoint, m.Endpoint, env.Endpoint}.
		resolve(&diags, true, "the control plane's URL, such as https://127.0.0.1:7443")
	cfg.Token = setting{"token", client.EnvToken, m.Token, env.Token}.
		resolve(&diags, true, "the control plane's bearer token (its admin.token file)")
	ca := setting{"ca_cert", client.EnvCACert, m.CACert, env.CACertFile}.
		resolve(&diags, false, "")
	if cfg.Endpoint != "" {
		checkEndpoint(&diags, cfg.Endpoint)
	}
	if ca != "" {
		cfg.CACertPEM = loadCACert(&diags, ca)
	}
	return cfg, diags
}

// checkEndpoint adds a diagnostic when endpoint is not an http(s) URL.
func checkEndpoint(diags *diag.Diagnostics, endpoint string) {
	u, err := url.Parse(endpoint)
	if err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http") {
		return
	}
	diags.AddAttributeError(path.Root("endpoint"), "Invalid Strata endpoint",
		fmt.Sprintf("%q is not an http(s) URL. Set endpoint (or %s) to the control plane's "+
			"URL, such as https://127.0.0.1:7443.", endpoint, client.EnvEndpoint))
}

// loadCACert returns the PEM of ca, which is either the PEM or a path to it.
func loadCACert(diags *diag.Diagnostics, ca string) []byte {
	pem := []byte(ca)
	if !strings.HasPrefix(strings.TrimSpace(ca), pemPrefix) {
		b, err := os.ReadFile(ca)
		if err != nil {
			diags.AddAttributeError(path.Root("ca_cert"), "Cannot read Strata CA certificate",
				fmt.Sprintf("%v. Set ca_cert (or %s) to the path of the control plane's "+
					"ca.pem, or to the PEM itself.", err, client.EnvCACert))
			return nil
		}
		pem = b
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		diags.AddAttributeError(path.Root("ca_cert"), "Invalid Strata CA certificate",
			fmt.Sprintf("ca_cert (or %s) holds no PEM certificate. Use the control plane's "+
				"ca.pem, or its path.", client.EnvCACert))
		return nil
	}
	return pem
}

// Environment variables that set log levels: Terraform's own (which
// decide what Terraform keeps of a provider's logs) and terraform-plugin-
// log's (which decide what the plugin SDK and this provider write).
const (
	envTFLog           = "TF_LOG"
	envTFLogProvider   = "TF_LOG_PROVIDER"
	envLogSDK          = "TF_LOG_SDK"
	envLogSDKProto     = "TF_LOG_SDK_PROTO"
	envLogSDKFramework = "TF_LOG_SDK_FRAMEWORK"
	envLogStrata       = "TF_LOG_PROVIDER_STRATA"
)

// UnreadLogLevels returns the log-level environment variables to set, to
// "off", before the provider is served, so that it writes no log that
// Terraform would drop unread. Terraform keeps a provider's logs only when
// TF_LOG_PROVIDER or TF_LOG names a level, yet the plugin SDK logs at trace
// level unless told otherwise; Terraform then parses every JSON line the
// plugin writes to stderr just to drop it. That made half of the
// provider's CPU time, and much of Terraform's, in a no-change plan of 200
// buckets. The answer is empty when Terraform keeps provider logs, and it
// never names a variable that is already set. getenv is os.Getenv outside
// tests.
func UnreadLogLevels(getenv func(string) string) map[string]string {
	kept := getenv(envTFLogProvider) // Terraform's rule: it wins over TF_LOG
	if kept == "" {
		kept = getenv(envTFLog)
	}
	if kept != "" && !strings.EqualFold(kept, "off") {
		return nil
	}
	set := map[string]string{}
	for _, name := range []string{envLogSDK, envLogSDKProto, envLogSDKFramework, envLogStrata} {
		if getenv(name) == "" {
			set[name] = "off"
		}
	}
	return set
}

// Resources lists the provider's resource types.
func (p *strataProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newClusterResource,
		newTenantResource,
		newBucketResource,
		newKeyResource,
		newTierResource,
		newAccessKeyResource,
	}
}

// DataSources lists the provider's data sources.
func (p *strataProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newTenantDataSource,
		newBucketDataSource,
		newBucketsDataSource,
	}
}
