package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// globKind is what one element of a glob matches.
type globKind uint8

const (
	globLiteral globKind = iota // one given character
	globStar                    // any run of characters, possibly empty
	globOne                     // exactly one character
)

// globRune is one element of a glob.
type globRune struct {
	kind globKind
	r    rune
}

// glob is a compiled wildcard pattern. Characters that came from a policy
// variable are literals, so a variable's value never acts as a wildcard.
type glob []globRune

// literalGlob compiles s, where '*' and '?' are wildcards.
func literalGlob(s string) glob {
	g := make(glob, 0, len(s))
	return g.appendPattern(s)
}

func (g glob) appendPattern(s string) glob {
	for _, r := range s {
		switch r {
		case '*':
			g = append(g, globRune{kind: globStar})
		case '?':
			g = append(g, globRune{kind: globOne})
		default:
			g = append(g, globRune{r: r})
		}
	}
	return g
}

func (g glob) appendLiteral(s string) glob {
	for _, r := range s {
		g = append(g, globRune{r: r})
	}
	return g
}

// expandGlob compiles pattern, replacing the policy variables in it with
// their values from ctx when vars is true. ok is false when a variable has
// no single value in ctx.
func expandGlob(pattern string, ctx keyValues, vars bool) (g glob, ok bool) {
	if !vars || !strings.Contains(pattern, "${") {
		return literalGlob(pattern), true
	}
	g = make(glob, 0, len(pattern))
	for {
		i := strings.Index(pattern, "${")
		if i < 0 {
			return g.appendPattern(pattern), true
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			return g.appendPattern(pattern), true
		}
		value, found := variable(pattern[i+2:i+j], ctx)
		if !found {
			return nil, false
		}
		g = g.appendPattern(pattern[:i]).appendLiteral(value)
		pattern = pattern[i+j+1:]
	}
}

// expandString replaces the policy variables of s, as expandGlob does, for
// operators that compare whole strings.
func expandString(s string, ctx keyValues, vars bool) (string, bool) {
	if !vars || !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		value, found := variable(s[i+2:i+j], ctx)
		if !found {
			return "", false
		}
		b.WriteString(s[:i])
		b.WriteString(value)
		s = s[i+j+1:]
	}
}

// variable returns the value of the policy variable called name: one of
// the special characters *, ? and $, or a condition key with exactly one
// value in ctx.
func variable(name string, ctx keyValues) (string, bool) {
	switch name {
	case "*", "?", "$":
		return name, true
	}
	values, ok := ctx.get(name)
	if !ok || len(values) != 1 {
		return "", false
	}
	return values[0], true
}

// match reports whether the whole of s matches g; fold compares letters
// without regard to case.
func (g glob) match(s string, fold bool) bool {
	gi, si := 0, 0
	starG, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		if gi < len(g) {
			switch e := g[gi]; {
			case e.kind == globStar:
				starG, starS = gi, si
				gi++
				continue
			case e.kind == globOne || sameRune(e.r, r, fold):
				gi++
				si += size
				continue
			}
		}
		if starG < 0 {
			return false
		}
		_, skip := utf8.DecodeRuneInString(s[starS:])
		starS += skip
		gi, si = starG+1, starS
	}
	for gi < len(g) && g[gi].kind == globStar {
		gi++
	}
	return gi == len(g)
}

func sameRune(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	return fold && unicode.SimpleFold(a) != a && strings.EqualFold(string(a), string(b))
}
