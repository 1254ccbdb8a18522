package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/client"
)

// dataSourceBase holds what every data source shares: the client that the
// provider configured.
type dataSourceBase struct {
	client *client.Client
}

// Configure takes the client from the provider.
func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest,
	resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*client.Client)
	if !ok {
		addUnexpectedProviderData(&resp.Diagnostics, req.ProviderData)
		return
	}
	b.client = c
}

// dsString is a data source's computed string.
func dsString(md string, sensitive bool) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, Sensitive: sensitive,
		Description: plain(md), MarkdownDescription: md}
}

// dsRequired is a data source's required string, checked with rule.
func dsRequired(md string, rule modelRule) schema.StringAttribute {
	return schema.StringAttribute{Required: true, Description: plain(md),
		MarkdownDescription: md, Validators: []validator.String{rule}}
}

// dsLabels is a data source's computed labels map.
func dsLabels(kind string) schema.MapAttribute {
	md := "The key/value pairs on the " + kind + "'s metadata."
	return schema.MapAttribute{ElementType: types.StringType, Computed: true,
		Description: plain(md), MarkdownDescription: md}
}

// dsReady is a data source's computed Ready flag.
func dsReady(kind string) schema.BoolAttribute {
	md := "Whether the control plane reports the " + kind + " as `Ready`: what its spec " +
		"says is real."
	return schema.BoolAttribute{Computed: true, Description: plain(md),
		MarkdownDescription: md}
}
