package s3api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxPolicyDocument bounds the decoded policy of a form upload.
const maxPolicyDocument = 20 << 10

// postPolicy is the decoded policy of a browser form upload: when it
// expires and the conditions every form field must meet.
type postPolicy struct {
	expiration time.Time
	conditions []postCondition
	// lengthMin and lengthMax bound the file's size when hasLength.
	lengthMin, lengthMax int64
	hasLength            bool
}

// postCondition is one eq or starts-with condition on a form field, whose
// name is lowercase and without its '$'.
type postCondition struct {
	op    string
	field string
	value string
}

// String writes the condition for errors, without the quotes a policy
// has, which XML answers would escape.
func (c postCondition) String() string {
	return fmt.Sprintf("[%s, $%s, %s]", c.op, c.field, c.value)
}

// errInvalidPolicy refuses a policy document that does not parse.
func errInvalidPolicy(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidPolicyDocument",
		message: "Invalid Policy: " + fmt.Sprintf(format, args...)}
}

// errPolicyRefused refuses a form the policy does not allow.
func errPolicyRefused(format string, args ...any) *apiError {
	return errorf("AccessDenied", "Invalid according to Policy: "+format, args...)
}

// parsePostPolicy decodes a policy document: a JSON object with an
// expiration and a list of conditions, each an object of exact matches or
// an array ["eq"|"starts-with", "$field", "value"] or
// ["content-length-range", min, max].
func parsePostPolicy(doc []byte) (*postPolicy, error) {
	if len(doc) > maxPolicyDocument {
		return nil, errInvalidPolicy("the policy is larger than %d bytes.", maxPolicyDocument)
	}
	var raw struct {
		Expiration *string           `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, errInvalidPolicy("the policy is not a JSON object.")
	}
	if raw.Expiration == nil {
		return nil, errInvalidPolicy("Policy missing expiration.")
	}
	exp, err := time.Parse(time.RFC3339, *raw.Expiration)
	if err != nil {
		return nil, errInvalidPolicy("Invalid 'expiration' value: %.40q", *raw.Expiration)
	}
	if raw.Conditions == nil {
		return nil, errInvalidPolicy("Policy missing conditions.")
	}
	p := &postPolicy{expiration: exp}
	for _, c := range raw.Conditions {
		if err := p.addCondition(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addCondition decodes one entry of the conditions list.
func (p *postPolicy) addCondition(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		return p.addExactMatches(raw)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 3 {
		return errInvalidPolicy("a condition must be an object or a list of three: %.80s", raw)
	}
	var op string
	if err := json.Unmarshal(list[0], &op); err != nil {
		return errInvalidPolicy("a condition's operator is not a string: %.80s", raw)
	}
	switch op = strings.ToLower(op); op {
	case "eq", "starts-with":
		return p.addMatch(op, list[1], list[2])
	case "content-length-range":
		return p.addLengthRange(list[1], list[2])
	}
	return errInvalidPolicy("Invalid condition operator %.40q.", op)
}

// addExactMatches adds {"field": "value", …} as eq conditions.
func (p *postPolicy) addExactMatches(raw json.RawMessage) error {
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return errInvalidPolicy("an exact-match condition must map names to strings: %.80s",
			raw)
	}
	for k, v := range m {
		field := strings.ToLower(strings.TrimPrefix(k, "$"))
		p.conditions = append(p.conditions, postCondition{op: "eq", field: field, value: v})
	}
	return nil
}

// addMatch adds ["eq"|"starts-with", "$field", "value"].
func (p *postPolicy) addMatch(op string, rawField, rawValue json.RawMessage) error {
	var field, value string
	if json.Unmarshal(rawField, &field) != nil || json.Unmarshal(rawValue, &value) != nil {
		return errInvalidPolicy("the field and value of a %s condition must be strings.", op)
	}
	name, ok := strings.CutPrefix(field, "$")
	if !ok || name == "" {
		return errInvalidPolicy("the field %.40q of a %s condition must start with '$'.",
			field, op)
	}
	p.conditions = append(p.conditions,
		postCondition{op: op, field: strings.ToLower(name), value: value})
	return nil
}

// addLengthRange sets ["content-length-range", min, max]; the bounds may
// be numbers or strings of digits.
func (p *postPolicy) addLengthRange(rawMin, rawMax json.RawMessage) error {
	lo, errLo := policyInt(rawMin)
	hi, errHi := policyInt(rawMax)
	if errLo != nil || errHi != nil || lo < 0 || hi < lo {
		return errInvalidPolicy("content-length-range needs 0 <= min <= max, not %.20s, %.20s",
			rawMin, rawMax)
	}
	p.lengthMin, p.lengthMax, p.hasLength = lo, hi, true
	return nil
}

// policyInt reads a JSON integer, or a string holding one.
func policyInt(raw json.RawMessage) (int64, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strconv.ParseInt(s, 10, 64)
	}
	return strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
}

// needsNoCondition reports whether S3 lets a form carry field without a
// policy condition naming it.
func needsNoCondition(field string) bool {
	switch field {
	case "policy", "x-amz-signature", "file":
		return true
	}
	return strings.HasPrefix(field, "x-ignore-")
}

// check applies the policy to the form's fields (lowercase names) at
// now: it must not have expired, every condition must hold (a field the
// form lacks counts as empty; $bucket is the bucket posted to), and every
// field must be named by a condition.
func (p *postPolicy) check(fields map[string]string, bucket string, now time.Time) error {
	if !now.Before(p.expiration) {
		return errPolicyRefused("Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.conditions {
		covered[c.field] = true
		value := fields[c.field]
		if c.field == "bucket" {
			value = bucket
		}
		if !c.holds(value) {
			return errPolicyRefused("Policy Condition failed: %s", c)
		}
	}
	for name := range fields {
		if !covered[name] && !needsNoCondition(name) {
			return errPolicyRefused("Extra input fields: %s", name)
		}
	}
	return nil
}

// holds reports whether value meets the condition.
func (c postCondition) holds(value string) bool {
	if c.op == "starts-with" {
		return strings.HasPrefix(value, c.value)
	}
	return value == c.value
}
