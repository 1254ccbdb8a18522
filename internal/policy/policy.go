package policy

import (
	"fmt"
	"strings"
)

// The policy language versions Parse accepts.
const (
	// Version2012 is the current version; policy variables work only in it.
	Version2012 = "2012-10-17"
	// Version2008 is the older version, the default when Version is absent.
	Version2008 = "2008-10-17"
)

// Effect is what a statement does when it applies.
type Effect string

// The two effects of a statement.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Decision is what one policy says about one request.
type Decision int

// The decisions of Evaluate, weakest first.
const (
	// NoMatch means no statement applies: an implicit deny.
	NoMatch Decision = iota
	// Allow means an Allow statement applies and no Deny statement does.
	Allow
	// ExplicitDeny means a Deny statement applies; it wins over any Allow.
	ExplicitDeny
)

// String names the decision.
func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "NoMatch"
}

// Request is what Evaluate decides about.
type Request struct {
	// Principal is the ARN of who asks, or "*" for an anonymous request.
	Principal string
	// Action is an S3 action such as "s3:GetObject".
	Action string
	// Resource is an S3 ARN such as "arn:aws:s3:::bucket/key".
	Resource string
	// Context holds the condition keys of the request (aws:SourceIp,
	// s3:prefix, ...) with their values. Keys are matched without regard
	// to case. Evaluate does not change it.
	Context map[string][]string
}

// Policy is a parsed policy document. It is immutable and safe for
// concurrent use.
type Policy struct {
	// Version is the document's Version, Version2008 when it had none.
	Version string
	// ID is the document's Id, or "".
	ID string
	// Statements are the document's statements in order.
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	// Sid is the statement's Sid, or "".
	Sid string
	// Effect is Allow or Deny.
	Effect Effect
	// Principal lists who the statement is about; nil when the statement
	// has no Principal element (an identity policy's statements).
	Principal *Principals
	// NotPrincipal lists who the statement is not about; nil when absent.
	NotPrincipal *Principals
	// Actions and NotActions: exactly one of them is set.
	Actions, NotActions []string
	// Resources and NotResources: exactly one of them is set.
	Resources, NotResources []string
	// Conditions must all hold for the statement to apply.
	Conditions []Condition
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	// AWS lists principal ARNs; "*" is everyone, anonymous included.
	AWS []string
}

// Condition is one key under one operator of a Condition block.
type Condition struct {
	// Operator is the operator as written, e.g.
	// "ForAnyValue:StringLikeIfExists".
	Operator string
	// Key is the condition key as written, e.g. "s3:prefix".
	Key string
	// Values are the policy's values for the key, as strings.
	Values []string

	op operator
}

// ParseError is Parse's refusal: every problem found in the document.
type ParseError struct {
	// Problems lists each problem with the JSON path where it was found.
	Problems []Problem
}

// Problem is one reason a document was refused.
type Problem struct {
	// Path locates the problem, e.g. "Statement[1].Action[0]"; "" is the
	// whole document.
	Path string
	// Message says what is wrong.
	Message string
}

// Error lists every problem, separated by "; ".
func (e *ParseError) Error() string {
	parts := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		if p.Path == "" {
			parts = append(parts, p.Message)
			continue
		}
		parts = append(parts, p.Path+": "+p.Message)
	}
	return "policy: " + strings.Join(parts, "; ")
}

// Parse reads a policy document, bucket or identity, that may or may not
// name principals. It returns a *ParseError listing every problem.
func Parse(doc []byte) (*Policy, error) {
	return parse(doc, principalOptional)
}

// ParseBucket reads a bucket policy: every statement must name a
// Principal or NotPrincipal, as AWS demands of resource-based policies.
func ParseBucket(doc []byte) (*Policy, error) {
	return parse(doc, principalRequired)
}

// ParseIdentity reads an identity policy: no statement may name a
// Principal or NotPrincipal, since the policy is about the identity it is
// attached to.
func ParseIdentity(doc []byte) (*Policy, error) {
	return parse(doc, principalForbidden)
}

// principalRule is what a kind of policy demands of Principal elements.
type principalRule int

const (
	principalOptional principalRule = iota
	principalRequired
	principalForbidden
)

func parse(doc []byte, rule principalRule) (*Policy, error) {
	p := &parser{rule: rule}
	pol := p.document(doc)
	if len(p.problems) > 0 {
		return nil, &ParseError{Problems: p.problems}
	}
	return pol, nil
}

// problemf builds a Problem; a helper for the parser's checks.
func problemf(path, format string, args ...any) Problem {
	return Problem{Path: path, Message: fmt.Sprintf(format, args...)}
}
