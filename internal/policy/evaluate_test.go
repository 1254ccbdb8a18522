package policy

import (
	"fmt"
	"testing"
)

// mustParse parses doc or fails the test.
func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parsing %s: %v", doc, err)
	}
	return p
}

// stmt builds a one-statement 2012-10-17 document from its members.
func stmt(members string) string {
	return `{"Version":"2012-10-17","Statement":[{` + members + `}]}`
}

const alice = "arn:aws:iam:::user/alice"

func get(resource string) Request {
	return Request{Principal: alice, Action: "s3:GetObject", Resource: resource}
}

func TestEvaluateStatements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		req  Request
		want Decision
	}{
		{"an allow that matches allows",
			stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`),
			get("arn:aws:s3:::b/k"), Allow},
		{"a resource in another bucket does not match",
			stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`),
			get("arn:aws:s3:::bb/k"), NoMatch},
		{"resources are case-sensitive",
			stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/K"`),
			get("arn:aws:s3:::b/k"), NoMatch},
		{"actions are not case-sensitive",
			stmt(`"Effect":"Allow","Action":"S3:getobject","Resource":"*"`),
			get("arn:aws:s3:::b/k"), Allow},
		{"an action wildcard matches",
			stmt(`"Effect":"Allow","Action":"s3:Get*","Resource":"*"`),
			get("arn:aws:s3:::b/k"), Allow},
		{"a question mark matches exactly one character",
			stmt(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/a?c"`),
			get("arn:aws:s3:::b/abbc"), NoMatch},
		{"NotAction allows every other action",
			stmt(`"Effect":"Allow","NotAction":"s3:DeleteObject","Resource":"*"`),
			get("arn:aws:s3:::b/k"), Allow},
		{"NotAction does not allow the action it names",
			stmt(`"Effect":"Allow","NotAction":"s3:GetObject","Resource":"*"`),
			get("arn:aws:s3:::b/k"), NoMatch},
		{"NotResource applies outside the resources it names",
			stmt(`"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/public/*"`),
			get("arn:aws:s3:::b/private/k"), ExplicitDeny},
		{"NotResource does not apply inside the resources it names",
			stmt(`"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/public/*"`),
			get("arn:aws:s3:::b/public/k"), NoMatch},
		{"a principal ARN matches only that principal",
			stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:::user/bob"},` +
				`"Action":"s3:*","Resource":"*"`),
			get("arn:aws:s3:::b/k"), NoMatch},
		{"principal star matches anonymous requests",
			stmt(`"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"`),
			Request{Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Allow},
		{"a named principal does not match anonymous requests",
			stmt(`"Effect":"Allow","Principal":{"AWS":["` + alice + `"]},"Action":"s3:*",` +
				`"Resource":"*"`),
			Request{Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			NoMatch},
		{"NotPrincipal applies to everyone else",
			stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam:::user/bob"},` +
				`"Action":"s3:*","Resource":"*"`),
			get("arn:aws:s3:::b/k"), ExplicitDeny},
		{"a policy variable is replaced in resources",
			stmt(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"`),
			Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/k",
				Context: map[string][]string{"aws:username": {"alice"}}}, Allow},
		{"a variable's value is literal, never a wildcard",
			stmt(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"`),
			Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice",
				Context: map[string][]string{"aws:username": {"*"}}}, NoMatch},
		{"a special variable stands for its character",
			stmt(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}"`),
			get("arn:aws:s3:::b/*"), Allow},
		{"a variable the request lacks keeps the statement from applying",
			stmt(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"`),
			get("arn:aws:s3:::b/alice/k"), NoMatch},
		{"variables stay literal in version 2008-10-17",
			`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*",` +
				`"Resource":"arn:aws:s3:::b/${aws:username}"}}`,
			Request{
				Principal: alice,
				Action:    "s3:GetObject",
				Resource:  "arn:aws:s3:::b/${aws:username}",
				Context:   map[string][]string{"aws:username": {"alice"}},
			}, Allow},
		{"an explicit deny wins over an allow in the same policy",
			`{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":"s3:*","Resource":"*"},` +
				`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret/*"}]}`,
			get("arn:aws:s3:::b/secret/k"), ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mustParse(t, tt.doc).Evaluate(tt.req); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// cond builds an Allow-everything policy with one condition block.
func cond(block string) string {
	return stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":` + block)
}

func TestEvaluateConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		block string
		ctx   map[string][]string
		want  bool
	}{
		{"StringEquals holds when a value is equal", `{"StringEquals":{"s3:prefix":["a","b"]}}`,
			map[string][]string{"s3:prefix": {"b"}}, true},
		{"StringEquals is case-sensitive", `{"StringEquals":{"s3:prefix":"A"}}`,
			map[string][]string{"s3:prefix": {"a"}}, false},
		{"condition keys are not case-sensitive", `{"StringEquals":{"S3:Prefix":"a"}}`,
			map[string][]string{"s3:prefix": {"a"}}, true},
		{"StringEquals is false when the key is missing", `{"StringEquals":{"s3:prefix":"a"}}`,
			nil, false},
		{"StringNotEquals holds when no value is equal",
			`{"StringNotEquals":{"s3:prefix":["a","b"]}}`,
			map[string][]string{"s3:prefix": {"c"}}, true},
		{"StringNotEquals fails when one value is equal",
			`{"StringNotEquals":{"s3:prefix":["a","b"]}}`,
			map[string][]string{"s3:prefix": {"b"}}, false},
		{"StringNotEquals holds when the key is missing", `{"StringNotEquals":{"s3:prefix":"a"}}`,
			nil, true},
		{"StringEqualsIfExists holds when the key is missing",
			`{"StringEqualsIfExists":{"s3:prefix":"a"}}`, nil, true},
		{"StringEqualsIfExists still compares a present key",
			`{"StringEqualsIfExists":{"s3:prefix":"a"}}`,
			map[string][]string{"s3:prefix": {"b"}}, false},
		{"StringEqualsIgnoreCase ignores case", `{"StringEqualsIgnoreCase":{"s3:prefix":"ABC"}}`,
			map[string][]string{"s3:prefix": {"abc"}}, true},
		{"StringNotEqualsIgnoreCase ignores case",
			`{"StringNotEqualsIgnoreCase":{"s3:prefix":"ABC"}}`,
			map[string][]string{"s3:prefix": {"abc"}}, false},
		{"StringLike matches wildcards", `{"StringLike":{"s3:prefix":"home/*"}}`,
			map[string][]string{"s3:prefix": {"home/alice/"}}, true},
		{"StringNotLike refuses a match", `{"StringNotLike":{"s3:prefix":"home/*"}}`,
			map[string][]string{"s3:prefix": {"home/alice/"}}, false},
		{"a variable in a condition value is replaced",
			`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`,
			map[string][]string{"s3:prefix": {"home/alice/x"}, "aws:username": {"alice"}}, true},
		{"a condition value with a missing variable matches nothing",
			`{"StringEquals":{"s3:prefix":"${aws:username}"}}`,
			map[string][]string{"s3:prefix": {""}}, false},
		{"NumericLessThan compares numbers", `{"NumericLessThan":{"s3:max-keys":"10"}}`,
			map[string][]string{"s3:max-keys": {"9"}}, true},
		{"NumericLessThan is false at the bound", `{"NumericLessThan":{"s3:max-keys":"10"}}`,
			map[string][]string{"s3:max-keys": {"10"}}, false},
		{"NumericLessThanEquals holds at the bound",
			`{"NumericLessThanEquals":{"s3:max-keys":10}}`,
			map[string][]string{"s3:max-keys": {"10"}}, true},
		{"NumericGreaterThan compares numbers", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`,
			map[string][]string{"s3:max-keys": {"10.5"}}, true},
		{"NumericGreaterThanEquals holds at the bound",
			`{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`,
			map[string][]string{"s3:max-keys": {"10"}}, true},
		{"NumericEquals is false for a value that is not a number",
			`{"NumericEquals":{"s3:max-keys":"10"}}`,
			map[string][]string{"s3:max-keys": {"ten"}}, false},
		{"NumericNotEquals holds for another number", `{"NumericNotEquals":{"s3:max-keys":"10"}}`,
			map[string][]string{"s3:max-keys": {"11"}}, true},
		{
			"DateLessThan compares times",
			`{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`,
			map[string][]string{"aws:CurrentTime": {"2025-12-31T23:59:59Z"}},
			true,
		},
		{
			"DateGreaterThan takes epoch seconds",
			`{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}`,
			map[string][]string{"aws:EpochTime": {"1700000001"}},
			true,
		},
		{"DateEquals compares instants across zones",
			`{"DateEquals":{"aws:CurrentTime":"2026-01-01T01:00:00+01:00"}}`,
			map[string][]string{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}, true},
		{"DateNotEquals holds for another time",
			`{"DateNotEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`,
			map[string][]string{"aws:CurrentTime": {"2026-01-02T00:00:00Z"}}, true},
		{"DateLessThanEquals holds at the bound",
			`{"DateLessThanEquals":{"aws:CurrentTime":"2026-01-01"}}`,
			map[string][]string{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}, true},
		{"DateGreaterThanEquals is false before the bound",
			`{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`,
			map[string][]string{"aws:CurrentTime": {"2025-01-01T00:00:00Z"}}, false},
		{"Bool compares without regard to case", `{"Bool":{"aws:SecureTransport":"false"}}`,
			map[string][]string{"aws:SecureTransport": {"FALSE"}}, true},
		{"Bool is false for the other value", `{"Bool":{"aws:SecureTransport":true}}`,
			map[string][]string{"aws:SecureTransport": {"false"}}, false},
		{"IpAddress holds inside the block", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`,
			map[string][]string{"aws:SourceIp": {"192.0.2.7"}}, true},
		{"IpAddress is false outside the block", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`,
			map[string][]string{"aws:SourceIp": {"198.51.100.1"}}, false},
		{"IpAddress takes IPv6 blocks", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`,
			map[string][]string{"aws:SourceIp": {"2001:db8::1"}}, true},
		{"IpAddress takes a bare address", `{"IpAddress":{"aws:SourceIp":"::1"}}`,
			map[string][]string{"aws:SourceIp": {"::1"}}, true},
		{"NotIpAddress holds outside every block",
			`{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}`,
			map[string][]string{"aws:SourceIp": {"127.0.0.1"}}, true},
		{"NotIpAddress fails inside a block", `{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`,
			map[string][]string{"aws:SourceIp": {"127.0.0.1"}}, false},
		{"ArnLike matches wildcards", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b*"}}`,
			map[string][]string{"aws:SourceArn": {"arn:aws:s3:::bucket"}}, true},
		{"ArnEquals is case-sensitive", `{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::B"}}`,
			map[string][]string{"aws:SourceArn": {"arn:aws:s3:::b"}}, false},
		{"ArnLike refuses a value that is not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:*"}}`,
			map[string][]string{"aws:SourceArn": {"arn:aws"}}, false},
		{"ArnNotLike holds for another ARN", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::a*"}}`,
			map[string][]string{"aws:SourceArn": {"arn:aws:s3:::b"}}, true},
		{
			"ArnNotEquals fails for the same ARN",
			`{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b"}}`,
			map[string][]string{"aws:SourceArn": {"arn:aws:s3:::b"}},
			false,
		},
		{"Null true holds when the key is missing", `{"Null":{"s3:prefix":"true"}}`, nil, true},
		{"Null true fails when the key is present", `{"Null":{"s3:prefix":"true"}}`,
			map[string][]string{"s3:prefix": {"a"}}, false},
		{"Null false holds when the key is present", `{"Null":{"s3:prefix":false}}`,
			map[string][]string{"s3:prefix": {"a"}}, true},
		{"ForAnyValue holds when one value matches",
			`{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`,
			map[string][]string{"aws:TagKeys": {"x", "b"}}, true},
		{"ForAnyValue is false for a missing key",
			`{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`, nil, false},
		{"ForAllValues holds when every value matches",
			`{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`,
			map[string][]string{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAllValues fails when one value does not match",
			`{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`,
			map[string][]string{"aws:TagKeys": {"a", "c"}}, false},
		{"ForAllValues holds for a missing key",
			`{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAnyValue with a negated operator holds when one value matches none",
			`{"ForAnyValue:StringNotLike":{"aws:TagKeys":"a*"}}`,
			map[string][]string{"aws:TagKeys": {"ab", "c"}}, true},
		{"ForAllValues with IfExists holds for a missing key",
			`{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":"a*"}}`, nil, true},
		{"every operator of a block must hold",
			`{"StringEquals":{"s3:prefix":"a"},"NumericLessThan":{"s3:max-keys":"5"}}`,
			map[string][]string{"s3:prefix": {"a"}, "s3:max-keys": {"10"}}, false},
		{"every key under an operator must hold",
			`{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"}}`,
			map[string][]string{"s3:prefix": {"a"}, "s3:delimiter": {"/"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustParse(t, cond(tt.block))
			req := Request{Principal: alice, Action: "s3:ListBucket", Resource: "arn:aws:s3:::b",
				Context: tt.ctx}
			want := NoMatch
			if tt.want {
				want = Allow
			}
			if got := p.Evaluate(req); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "", false, true},
		{"a*b*c", "aXbYbc", false, true},
		{"a*b*c", "aXbYb", false, false},
		{"?", "é", false, true},
		{"??", "é", false, false},
		{"A", "a", false, false},
		{"S3:*OBJECT", "s3:GetObject", true, true},
		{"*/*", "b", false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q against %q gives %v", tt.pattern, tt.s, tt.want), func(t *testing.T) {
			t.Parallel()
			if got := literalGlob(tt.pattern).match(tt.s, tt.fold); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],` +
		`"Resource":"arn:aws:s3:::b/home/${aws:username}/*",` +
		`"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},` +
		`{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/secret/*"}]}`))
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Principal: alice, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::b/home/alice/photo.jpg",
		Context:  map[string][]string{"aws:username": {"alice"}, "aws:SourceIp": {"10.1.2.3"}}}
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(req) != Allow {
			b.Fatal("got a decision other than Allow")
		}
	}
}
