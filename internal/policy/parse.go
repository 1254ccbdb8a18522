package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// parser collects every problem of one document.
type parser struct {
	rule     principalRule
	problems []Problem
}

func (p *parser) add(path, format string, args ...any) {
	p.problems = append(p.problems, problemf(path, format, args...))
}

// object decodes raw as a JSON object and refuses members not in allowed.
func (p *parser) object(path string, raw json.RawMessage,
	allowed ...string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		p.add(path, "must be a JSON object")
		return nil
	}
	for _, name := range sortedKeys(m) {
		if !contains(allowed, name) {
			p.add(join(path, name), "unknown element %q; expected one of %s", name,
				strings.Join(allowed, ", "))
		}
	}
	return m
}

func (p *parser) document(doc []byte) *Policy {
	if !json.Valid(doc) {
		p.add("", "the document is not valid JSON")
		return nil
	}
	m := p.object("", doc, "Version", "Id", "Statement")
	if m == nil {
		return nil
	}
	pol := &Policy{Version: Version2008}
	if raw, ok := m["Version"]; ok {
		pol.Version = p.str("Version", raw)
		if pol.Version != Version2012 && pol.Version != Version2008 {
			p.add("Version", "unsupported version %q; use %q", pol.Version, Version2012)
		}
	}
	if raw, ok := m["Id"]; ok {
		pol.ID = p.str("Id", raw)
	}
	raw, ok := m["Statement"]
	if !ok {
		p.add("", "missing required element Statement")
		return pol
	}
	pol.Statements = p.statements(raw)
	p.checkSids(pol.Statements)
	return pol
}

// statements reads Statement, one object or an array of them.
func (p *parser) statements(raw json.RawMessage) []Statement {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		return []Statement{p.statement("Statement", raw)}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		p.add("Statement", "must be an object or an array of objects")
		return nil
	}
	if len(list) == 0 {
		p.add("Statement", "must hold at least one statement")
	}
	out := make([]Statement, 0, len(list))
	for i, r := range list {
		out = append(out, p.statement(fmt.Sprintf("Statement[%d]", i), r))
	}
	return out
}

func (p *parser) checkSids(stmts []Statement) {
	seen := map[string]bool{}
	for i, s := range stmts {
		if s.Sid == "" {
			continue
		}
		if seen[s.Sid] {
			p.add(fmt.Sprintf("Statement[%d].Sid", i), "duplicate Sid %q; Sids must be unique",
				s.Sid)
		}
		seen[s.Sid] = true
	}
}

func (p *parser) statement(path string, raw json.RawMessage) Statement {
	var s Statement
	m := p.object(path, raw, "Sid", "Effect", "Principal", "NotPrincipal", "Action",
		"NotAction", "Resource", "NotResource", "Condition")
	if m == nil {
		return s
	}
	if r, ok := m["Sid"]; ok {
		s.Sid = p.str(join(path, "Sid"), r)
	}
	s.Effect = p.effect(path, m)
	s.Principal, s.NotPrincipal = p.principals(path, m)
	s.Actions, s.NotActions = p.pair(path, m, "Action", "NotAction", p.actions)
	s.Resources, s.NotResources = p.pair(path, m, "Resource", "NotResource", p.resources)
	if r, ok := m["Condition"]; ok {
		s.Conditions = p.conditions(join(path, "Condition"), r)
	}
	return s
}

func (p *parser) effect(path string, m map[string]json.RawMessage) Effect {
	r, ok := m["Effect"]
	if !ok {
		p.add(path, "missing required element Effect")
		return ""
	}
	e := Effect(p.str(join(path, "Effect"), r))
	if e != EffectAllow && e != EffectDeny {
		p.add(join(path, "Effect"), "must be %q or %q, not %q", EffectAllow, EffectDeny, e)
	}
	return e
}

// pair reads exactly one of two exclusive list elements, such as Action
// and NotAction, checking each value with check.
func (p *parser) pair(path string, m map[string]json.RawMessage, name, notName string,
	check func(path string, values []string)) ([]string, []string) {
	r, has := m[name]
	nr, hasNot := m[notName]
	switch {
	case has && hasNot:
		p.add(path, "has both %s and %s; give one", name, notName)
	case !has && !hasNot:
		p.add(path, "missing required element %s (or %s)", name, notName)
	}
	var yes, no []string
	if has {
		yes = p.strings(join(path, name), r)
		check(join(path, name), yes)
	}
	if hasNot {
		no = p.strings(join(path, notName), nr)
		check(join(path, notName), no)
	}
	return yes, no
}

func (p *parser) principals(path string, m map[string]json.RawMessage) (*Principals,
	*Principals) {
	r, has := m["Principal"]
	nr, hasNot := m["NotPrincipal"]
	switch {
	case has && hasNot:
		p.add(path, "has both Principal and NotPrincipal; give one")
	case p.rule == principalRequired && !has && !hasNot:
		p.add(path, "missing required element Principal")
	case p.rule == principalForbidden && (has || hasNot):
		p.add(path, "an identity policy must not name a Principal or NotPrincipal")
	}
	var yes, no *Principals
	if has {
		yes = p.principal(join(path, "Principal"), r)
	}
	if hasNot {
		no = p.principal(join(path, "NotPrincipal"), nr)
	}
	return yes, no
}

// principal reads "*" or {"AWS": "*" | ARN | [...]}.
func (p *parser) principal(path string, raw json.RawMessage) *Principals {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			p.add(path, "must be \"*\" or an object such as {\"AWS\": [...]}, not %q", star)
		}
		return &Principals{AWS: []string{"*"}}
	}
	m := p.object(path, raw, "AWS")
	if m == nil {
		return &Principals{}
	}
	r, ok := m["AWS"]
	if !ok {
		p.add(path, "missing the AWS element")
		return &Principals{}
	}
	list := p.strings(join(path, "AWS"), r)
	for i, v := range list {
		if v != "*" && !validPrincipalARN(v) {
			p.add(fmt.Sprintf("%s.AWS[%d]", path, i),
				"%q is not a principal ARN such as arn:aws:iam::account:user/name", v)
		}
	}
	return &Principals{AWS: list}
}

func (p *parser) actions(path string, values []string) {
	for i, v := range values {
		if err := checkAction(v); err != nil {
			p.add(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
	}
}

func (p *parser) resources(path string, values []string) {
	for i, v := range values {
		if err := checkResource(v); err != nil {
			p.add(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
	}
}

// str decodes a JSON string.
func (p *parser) str(path string, raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		p.add(path, "must be a string")
	}
	return s
}

// strings decodes a string or a non-empty array of strings.
func (p *parser) strings(path string, raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		p.add(path, "must be a string or an array of strings")
		return nil
	}
	if len(list) == 0 {
		p.add(path, "must not be empty")
	}
	return list
}

// join appends an element name to a JSON path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
