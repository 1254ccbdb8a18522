package policy

import "strings"

// Evaluate decides what the policy says about r: ExplicitDeny when a Deny
// statement applies, else Allow when an Allow statement does, else
// NoMatch. It is safe for concurrent use.
func (p *Policy) Evaluate(r Request) Decision {
	kv := newKeyValues(r.Context)
	vars := p.Version == Version2012
	d := NoMatch
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.applies(r, kv, vars) {
			continue
		}
		if s.Effect == EffectDeny {
			return ExplicitDeny
		}
		d = Allow
	}
	return d
}

// applies reports whether every element of the statement matches r.
func (s *Statement) applies(r Request, kv keyValues, vars bool) bool {
	return s.principalMatches(r.Principal) && s.actionMatches(r.Action) &&
		s.resourceMatches(r.Resource, kv, vars) && s.conditionsHold(kv, vars)
}

func (s *Statement) principalMatches(principal string) bool {
	switch {
	case s.Principal != nil:
		return s.Principal.has(principal)
	case s.NotPrincipal != nil:
		return !s.NotPrincipal.has(principal)
	}
	return true
}

// has reports whether the list names principal, or everyone.
func (ps *Principals) has(principal string) bool {
	for _, p := range ps.AWS {
		if p == "*" || p == principal {
			return true
		}
	}
	return false
}

func (s *Statement) actionMatches(action string) bool {
	if s.Actions != nil {
		return anyGlob(s.Actions, action)
	}
	return !anyGlob(s.NotActions, action)
}

// anyGlob reports whether an action pattern matches action, ignoring case.
func anyGlob(patterns []string, action string) bool {
	for _, p := range patterns {
		if literalGlob(p).match(action, true) {
			return true
		}
	}
	return false
}

// resourceMatches matches the resource; a pattern whose policy variable
// the request lacks makes the whole statement not apply.
func (s *Statement) resourceMatches(resource string, kv keyValues, vars bool) bool {
	patterns, want := s.Resources, true
	if s.Resources == nil {
		patterns, want = s.NotResources, false
	}
	found := false
	for _, p := range patterns {
		g, ok := expandGlob(p, kv, vars)
		if !ok {
			return false
		}
		found = found || g.match(resource, false)
	}
	return found == want
}

func (s *Statement) conditionsHold(kv keyValues, vars bool) bool {
	for i := range s.Conditions {
		if !s.Conditions[i].holds(kv, vars) {
			return false
		}
	}
	return true
}

// holds evaluates one condition key against the request context.
func (c *Condition) holds(kv keyValues, vars bool) bool {
	values, _ := kv.get(c.Key)
	present := len(values) > 0
	if c.op.null {
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.op.ifExists, c.op.qual == qualAll:
			return true
		case c.op.qual == qualAny:
			return false
		}
		return c.op.base.negated
	}
	return c.holdsFor(values, kv, vars)
}

// holdsFor applies the set qualifier to the request's values.
func (c *Condition) holdsFor(values []string, kv keyValues, vars bool) bool {
	switch c.op.qual {
	case qualAny:
		for _, v := range values {
			if c.holdsOne(v, kv, vars) {
				return true
			}
		}
		return false
	case qualAll:
		for _, v := range values {
			if !c.holdsOne(v, kv, vars) {
				return false
			}
		}
		return true
	}
	matched := false
	for _, v := range values {
		matched = matched || c.matchesAny(v, kv, vars)
	}
	return matched != c.op.base.negated
}

// holdsOne evaluates the operator for one request value.
func (c *Condition) holdsOne(v string, kv keyValues, vars bool) bool {
	return c.matchesAny(v, kv, vars) != c.op.base.negated
}

// matchesAny reports whether the positive form of the operator matches v
// against any policy value.
func (c *Condition) matchesAny(v string, kv keyValues, vars bool) bool {
	b := c.op.base
	vars = vars && b.vars
	for _, p := range c.Values {
		if b.glob != nil {
			g, ok := expandGlob(p, kv, vars)
			if ok && b.glob(v, g) {
				return true
			}
			continue
		}
		s, ok := expandString(p, kv, vars)
		if ok && b.match(v, s) {
			return true
		}
	}
	return false
}
