package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"sigs.k8s.io/yaml"
)

// pulumiProgram is the part of a Pulumi YAML program the test reads.
type pulumiProgram struct {
	Resources map[string]struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
	} `json:"resources"`
	Outputs map[string]string `json:"outputs"`
}

var (
	pulumiToken = regexp.MustCompile(`^strata:index/([a-zA-Z]+):[A-Z][a-zA-Z]*$`)
	pulumiRef   = regexp.MustCompile(`\$\{([a-zA-Z0-9]+)\.([a-zA-Z0-9]+)\}`)
	upper       = regexp.MustCompile(`[A-Z]`)
)

// snake turns a Pulumi property name into the Terraform attribute name the
// bridge derives it from.
func snake(camel string) string {
	return upper.ReplaceAllStringFunc(camel, func(s string) string {
		return "_" + strings.ToLower(s)
	})
}

// TestPulumiExampleNamesOnlyWhatTheProviderHas checks examples/pulumi
// against the provider's schema, since no Pulumi CLI runs here.
func TestPulumiExampleNamesOnlyWhatTheProviderHas(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "examples", "pulumi", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var prog pulumiProgram
	if err := yaml.Unmarshal(b, &prog); err != nil {
		t.Fatalf("parsing Pulumi.yaml: %v", err)
	}
	schemas := resourceSchemas(t)
	types := map[string]string{} // program name -> Terraform type
	for name, r := range prog.Resources {
		m := pulumiToken.FindStringSubmatch(r.Type)
		if m == nil {
			t.Errorf("%s: type %q is not a strata:index/<module>:<Type> token", name, r.Type)
			continue
		}
		tfType := "strata_" + snake(m[1])
		s, ok := schemas[tfType]
		if !ok {
			t.Errorf("%s: %s is %s, which the provider does not have", name, r.Type, tfType)
			continue
		}
		types[name] = tfType
		checkProperties(t, name, s.Attributes, r.Properties)
	}
	if len(types) < 3 {
		t.Errorf("got %d resources, want the quickstart's cluster, tenant and bucket", len(types))
	}
	for _, r := range prog.Resources {
		checkReferences(t, fmtValue(r.Properties), types, schemas)
	}
	for _, v := range prog.Outputs {
		checkReferences(t, v, types, schemas)
	}
}

// resourceSchemas returns every resource's schema by Terraform type name.
func resourceSchemas(t *testing.T) map[string]schema.Schema {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	out := map[string]schema.Schema{}
	for _, factory := range p.(interface {
		Resources(context.Context) []func() resource.Resource
	}).Resources(ctx) {
		r := factory()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "strata"}, &md)
		var sr resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sr)
		out[md.TypeName] = sr.Schema
	}
	return out
}

// checkProperties checks each property, and those of nested objects, names
// an attribute the schema has and that a user may set.
func checkProperties(t *testing.T, where string, attrs map[string]schema.Attribute,
	props map[string]any) {
	t.Helper()
	for key, val := range props {
		a, ok := attrs[snake(key)]
		switch {
		case !ok:
			t.Errorf("%s: property %s (%s) is not in the provider's schema", where, key, snake(key))
			continue
		case !a.IsRequired() && !a.IsOptional():
			t.Errorf("%s: property %s is computed only and cannot be set", where, key)
		}
		nested, isList := a.(schema.ListNestedAttribute)
		items, _ := val.([]any)
		for _, item := range items {
			obj, isObj := item.(map[string]any)
			if isList && isObj {
				checkProperties(t, where+"."+key, nested.NestedObject.Attributes, obj)
			}
		}
	}
}

// checkReferences checks every ${resource.property} in text names a
// resource of the program and an attribute of its type.
func checkReferences(t *testing.T, text string, types map[string]string,
	schemas map[string]schema.Schema) {
	t.Helper()
	for _, m := range pulumiRef.FindAllStringSubmatch(text, -1) {
		tfType, ok := types[m[1]]
		if !ok {
			t.Errorf("%s refers to resource %s, which the program does not declare", m[0], m[1])
			continue
		}
		if _, ok := schemas[tfType].Attributes[snake(m[2])]; !ok {
			t.Errorf("%s: %s has no attribute %s", m[0], tfType, snake(m[2]))
		}
	}
}

func fmtValue(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}
