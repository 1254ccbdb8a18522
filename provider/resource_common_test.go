package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestLabelsFromAPI(t *testing.T) {
	t.Parallel()
	empty := types.MapValueMust(types.StringType, map[string]attr.Value{})
	team := types.MapValueMust(types.StringType, map[string]attr.Value{
		"team": types.StringValue("storage")})
	tests := []struct {
		name   string
		labels map[string]string
		prior  types.Map
		want   types.Map
	}{
		{"no labels after none configured are null", nil,
			types.MapNull(types.StringType), types.MapNull(types.StringType)},
		{"no labels after an empty map stay an empty map", nil, empty, empty},
		{"no labels on import are null", nil,
			types.MapUnknown(types.StringType), types.MapNull(types.StringType)},
		{"the server's labels win", map[string]string{"team": "storage"}, empty, team},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := labelsFromAPI(tt.labels, tt.prior); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLabelsToAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	got, diags := labelsToAPI(ctx, types.MapValueMust(types.StringType,
		map[string]attr.Value{"team": types.StringValue("storage")}))
	if diags.HasError() || len(got) != 1 || got["team"] != "storage" {
		t.Errorf("got %v, %v; want team=storage", got, diags)
	}
	if got, _ := labelsToAPI(ctx, types.MapNull(types.StringType)); got != nil {
		t.Errorf("got %v for null labels, want nil", got)
	}
}

func TestCheckAbsent(t *testing.T) {
	t.Parallel()
	deleting := *degraded
	deleting.deleting = true
	tests := []struct {
		name      string
		answers   []answer
		wantFound bool
		wantErr   string
	}{
		{"a missing resource may be created", []answer{{err: apiError(404, "gone")}},
			false, ""},
		{"an existing resource is found", []answer{{obj: readyNow}}, true, ""},
		{"a resource being deleted is waited for",
			[]answer{{obj: &deleting}, {obj: &deleting}, {err: apiError(404, "gone")}},
			false, ""},
		{"a rejected token is an error", []answer{{err: apiError(401, "bad token")}},
			false, "bad token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &script{answers: tt.answers}
			found, err := checkAbsent(context.Background(), s.waiter())
			checkErr(t, err, tt.wantErr)
			if found != tt.wantFound {
				t.Errorf("got found %v, want %v", found, tt.wantFound)
			}
		})
	}
}
