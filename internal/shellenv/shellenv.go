// Package shellenv writes and reads files of `export NAME='value'` lines,
// which a POSIX shell can source, for the environment files that point
// clients at a control plane and a tenant.
package shellenv

import (
	"fmt"
	"strings"
)

// Var is one environment variable.
type Var struct {
	Name, Value string
}

// Format renders vars as export lines after a comment line.
func Format(comment string, vars []Var) string {
	var b strings.Builder
	if comment != "" {
		b.WriteString("# " + comment + "\n")
	}
	for _, v := range vars {
		fmt.Fprintf(&b, "export %s=%s\n", v.Name, Quote(v.Value))
	}
	return b.String()
}

// Quote wraps s in single quotes so that a shell takes it literally.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Parse reads what Format wrote.
func Parse(text string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if ok && len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			env[k] = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
		}
	}
	return env
}
