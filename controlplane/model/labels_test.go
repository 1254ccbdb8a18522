package model

import (
	"fmt"
	"strings"
	"testing"
)

func TestValidateLabels(t *testing.T) {
	t.Parallel()
	many := map[string]string{}
	for i := range MaxLabels + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	tests := []struct {
		name      string
		labels    map[string]string
		wantField string
	}{
		{"a few short labels are fine", map[string]string{"team": "storage", "env": ""}, ""},
		{"64 labels are fine", func() map[string]string {
			m := map[string]string{}
			for i := range MaxLabels {
				m[fmt.Sprint("k", i)] = "v"
			}
			return m
		}(), ""},
		{"65 labels are too many", many, "metadata.labels"},
		{"an empty key is refused", map[string]string{"": "v"}, `metadata.labels[""]`},
		{"a key of 129 characters is too long",
			map[string]string{strings.Repeat("k", 129): "v"},
			`metadata.labels["` + strings.Repeat("k", 129) + `"]`},
		{"a value of 257 characters is too long",
			map[string]string{"k": strings.Repeat("v", 257)}, `metadata.labels["k"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v Violations
			ValidateLabels(&v, "metadata.labels", tt.labels)
			switch {
			case tt.wantField == "" && len(v) > 0:
				t.Errorf("got %v, want no violation", v)
			case tt.wantField != "" && (len(v) != 1 || v[0].Field != tt.wantField):
				t.Errorf("got %v, want one violation at %s", v, tt.wantField)
			}
		})
	}
}
