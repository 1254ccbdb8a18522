package shellenv

import "testing"

func TestFormatThenParseKeepsEveryValue(t *testing.T) {
	t.Parallel()
	vars := []Var{
		{"PLAIN", "https://127.0.0.1:7443"},
		{"QUOTE", "it's"},
		{"SPACES", "a b  c"},
		{"DOLLAR", "$HOME `x`"},
		{"EMPTY", ""},
	}
	got := Parse(Format("comment", vars))
	for _, v := range vars {
		if got[v.Name] != v.Value {
			t.Errorf("%s: got %q, want %q", v.Name, got[v.Name], v.Value)
		}
	}
	if len(got) != len(vars) {
		t.Errorf("got %d variables, want %d", len(got), len(vars))
	}
}
