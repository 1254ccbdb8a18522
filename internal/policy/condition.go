package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// keyValues is a request's condition context with keys in lower case.
type keyValues map[string][]string

// newKeyValues lowercases the keys of a request context.
func newKeyValues(ctx map[string][]string) keyValues {
	kv := make(keyValues, len(ctx))
	for k, v := range ctx {
		kv[strings.ToLower(k)] = v
	}
	return kv
}

// get returns the values of the condition key called name, in any case.
func (kv keyValues) get(name string) ([]string, bool) {
	v, ok := kv[strings.ToLower(name)]
	return v, ok
}

// setQualifier is how a condition treats a key with several values.
type setQualifier uint8

const (
	qualNone setQualifier = iota
	qualAny               // ForAnyValue:
	qualAll               // ForAllValues:
)

// operator is a parsed condition operator.
type operator struct {
	base     baseOperator
	qual     setQualifier
	ifExists bool
	// null is the Null operator, which tests whether a key is absent.
	null bool
}

// baseOperator compares one request value with one policy value.
type baseOperator struct {
	// negated operators hold when no policy value matches.
	negated bool
	// vars: policy variables are replaced in the policy values.
	vars bool
	// check validates a policy value at parse time.
	check func(string) error
	// match is the positive comparison of a request value v with a policy
	// value p; policy variables in p are already replaced.
	match func(v, p string) bool
	// glob: p is compiled as a wildcard pattern and matchGlob used.
	glob func(v string, p glob) bool
}

// baseOperators are the condition operators without qualifier or suffix.
var baseOperators = map[string]baseOperator{
	"StringEquals":              {vars: true, match: eq},
	"StringNotEquals":           {vars: true, match: eq, negated: true},
	"StringEqualsIgnoreCase":    {vars: true, match: strings.EqualFold},
	"StringNotEqualsIgnoreCase": {vars: true, match: strings.EqualFold, negated: true},
	"StringLike":                {vars: true, glob: globCase},
	"StringNotLike":             {vars: true, glob: globCase, negated: true},
	"NumericEquals":             numeric(func(a, b float64) bool { return a == b }),
	"NumericNotEquals":          numericNot(),
	"NumericLessThan":           numeric(func(a, b float64) bool { return a < b }),
	"NumericLessThanEquals":     numeric(func(a, b float64) bool { return a <= b }),
	"NumericGreaterThan":        numeric(func(a, b float64) bool { return a > b }),
	"NumericGreaterThanEquals":  numeric(func(a, b float64) bool { return a >= b }),
	"DateEquals":                date(func(a, b time.Time) bool { return a.Equal(b) }),
	"DateNotEquals":             dateNot(),
	"DateLessThan":              date(func(a, b time.Time) bool { return a.Before(b) }),
	"DateLessThanEquals":        date(func(a, b time.Time) bool { return !a.After(b) }),
	"DateGreaterThan":           date(func(a, b time.Time) bool { return a.After(b) }),
	"DateGreaterThanEquals":     date(func(a, b time.Time) bool { return !a.Before(b) }),
	"Bool":                      {check: checkBool, match: strings.EqualFold},
	"IpAddress":                 {check: checkCIDR, match: inCIDR},
	"NotIpAddress":              {check: checkCIDR, match: inCIDR, negated: true},
	"ArnEquals":                 {vars: true, check: checkARNValue, glob: globARN},
	"ArnLike":                   {vars: true, check: checkARNValue, glob: globARN},
	"ArnNotEquals":              {vars: true, check: checkARNValue, glob: globARN, negated: true},
	"ArnNotLike":                {vars: true, check: checkARNValue, glob: globARN, negated: true},
}

// nullOperator is the Null operator, which tests whether a key is absent.
const nullOperator = "Null"

func eq(a, b string) bool { return a == b }

func globCase(v string, p glob) bool { return p.match(v, false) }

func numeric(cmp func(a, b float64) bool) baseOperator {
	return baseOperator{check: checkNumber, match: func(v, p string) bool {
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(p, 64)
		return err1 == nil && err2 == nil && cmp(a, b)
	}}
}

// numericNot is NumericNotEquals: a request value that is not a number
// equals no policy value.
func numericNot() baseOperator {
	op := numeric(func(a, b float64) bool { return a == b })
	op.negated = true
	return op
}

func date(cmp func(a, b time.Time) bool) baseOperator {
	return baseOperator{check: checkDate, match: func(v, p string) bool {
		a, err1 := parseDate(v)
		b, err2 := parseDate(p)
		return err1 == nil && err2 == nil && cmp(a, b)
	}}
}

func dateNot() baseOperator {
	op := date(func(a, b time.Time) bool { return a.Equal(b) })
	op.negated = true
	return op
}

func checkNumber(p string) error {
	if _, err := strconv.ParseFloat(p, 64); err != nil {
		return fmt.Errorf("%q is not a number", p)
	}
	return nil
}

func checkDate(p string) error {
	if _, err := parseDate(p); err != nil {
		return fmt.Errorf("%q is not a date (ISO 8601, e.g. 2026-01-02T15:04:05Z, "+
			"or seconds since 1970)", p)
	}
	return nil
}

// parseDate reads an ISO 8601 date or time, or seconds since the epoch.
func parseDate(s string) (time.Time, error) {
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("policy: %q is not a date", s)
}

func checkBool(p string) error {
	if !strings.EqualFold(p, "true") && !strings.EqualFold(p, "false") {
		return fmt.Errorf("%q is not true or false", p)
	}
	return nil
}

func checkCIDR(p string) error {
	if _, err := parseCIDR(p); err != nil {
		return fmt.Errorf("%q is not an IP address or CIDR block", p)
	}
	return nil
}

// parseCIDR reads a CIDR block, or a bare address as a block of one.
func parseCIDR(p string) (netip.Prefix, error) {
	if strings.Contains(p, "/") {
		pfx, err := netip.ParsePrefix(p)
		return pfx.Masked(), err
	}
	a, err := netip.ParseAddr(p)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func inCIDR(v, p string) bool {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	pfx, err := parseCIDR(p)
	return err == nil && pfx.Contains(a.Unmap())
}

func checkARNValue(p string) error {
	if p != "*" && !strings.HasPrefix(p, "arn:") {
		return fmt.Errorf("%q is not an ARN", p)
	}
	return nil
}

// globARN matches an ARN field by field, each case-sensitive with
// wildcards; the resource part may hold colons.
func globARN(v string, p glob) bool {
	if len(p) == 1 && p[0].kind == globStar {
		return true
	}
	return strings.Count(v, ":") >= 5 && p.match(v, false)
}

// parseOperator splits a condition operator into qualifier, base operator
// and IfExists suffix.
func parseOperator(name string) (operator, bool) {
	var op operator
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		op.qual, rest = qualAny, r
	} else if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		op.qual, rest = qualAll, r
	}
	if rest == nullOperator {
		op.null = true
		return op, op.qual == qualNone
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok {
		op.ifExists, rest = true, r
	}
	base, ok := baseOperators[rest]
	op.base = base
	return op, ok
}

// conditions reads a Condition block: operator -> key -> value(s).
func (p *parser) conditions(path string, raw json.RawMessage) []Condition {
	var block map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &block); err != nil {
		p.add(path, "must be an object of operators, each an object of condition keys")
		return nil
	}
	var out []Condition
	for _, name := range sortedKeys(block) {
		op, ok := parseOperator(name)
		if !ok {
			p.add(join(path, name), "unknown condition operator %q", name)
			continue
		}
		for _, key := range sortedKeys(block[name]) {
			kpath := join(join(path, name), key)
			values := p.conditionValues(kpath, block[name][key])
			p.checkValues(kpath, op, values)
			out = append(out, Condition{Operator: name, Key: key, Values: values, op: op})
		}
	}
	return out
}

// conditionValues reads a string, number or boolean, or an array of them.
func (p *parser) conditionValues(path string, raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	var list []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
			p.add(path, "must be a value or a non-empty array of values")
			return nil
		}
	} else {
		list = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(list))
	for _, r := range list {
		v, ok := scalar(r)
		if !ok {
			p.add(path, "values must be strings, numbers or booleans")
			return nil
		}
		out = append(out, v)
	}
	return out
}

// scalar returns a JSON string, number or boolean as text.
func scalar(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b), true
	}
	return "", false
}

func (p *parser) checkValues(path string, op operator, values []string) {
	for _, v := range values {
		var err error
		switch {
		case op.null:
			err = checkBool(v)
		case op.base.check != nil:
			err = op.base.check(v)
		case op.base.vars:
			err = checkVariables(v)
		}
		if err != nil {
			p.add(path, "%v", err)
		}
	}
}
