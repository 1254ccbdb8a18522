package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		doc   string
		check func(*Policy) string
	}{
		{
			name: "a single statement object is read as a list of one",
			doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
				`"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			check: func(p *Policy) string {
				if len(p.Statements) != 1 || p.Statements[0].Actions[0] != "s3:GetObject" {
					return "got the wrong statements"
				}
				return ""
			},
		},
		{
			name: "a document without Version is version 2008-10-17",
			doc:  `{"Statement":[{"Effect":"Deny","NotAction":"s3:*","NotResource":"*"}]}`,
			check: func(p *Policy) string {
				if p.Version != Version2008 {
					return "got version " + p.Version
				}
				return ""
			},
		},
		{
			name: "a principal star becomes AWS star",
			doc: `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"a","Effect":"Allow",` +
				`"Principal":"*","Action":["s3:get*"],"Resource":"*"}]}`,
			check: func(p *Policy) string {
				if got := p.Statements[0].Principal.AWS; len(got) != 1 || got[0] != "*" {
					return "got principals " + strings.Join(got, ",")
				}
				return ""
			},
		},
		{
			name: "condition values may be numbers and booleans",
			doc: `{"Version":"2012-10-17",` +
				`"Statement":[{"Effect":"Allow","Action":"s3:ListBucket",` +
				`"Resource":"arn:aws:s3:::b","Condition":{"NumericLessThan":{"s3:max-keys":10},` +
				`"Bool":{"aws:SecureTransport":true}}}]}`,
			check: func(p *Policy) string {
				c := p.Statements[0].Conditions
				if len(c) != 2 || c[0].Values[0] != "true" || c[1].Values[0] != "10" {
					return "got the wrong condition values"
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if msg := tt.check(p); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		doc   string
		parse func([]byte) (*Policy, error)
		want  []string // substrings of the error, each a separate problem
	}{
		{"text that is not JSON", `{"Version":`, Parse, []string{"not valid JSON"}},
		{"a document that is an array", `[]`, Parse, []string{"must be a JSON object"}},
		{"a missing Statement", `{"Version":"2012-10-17"}`, Parse,
			[]string{"missing required element Statement"}},
		{"an unknown version", `{"Version":"2020-01-01","Statement":[{"Effect":"Allow",` +
			`"Action":"s3:*","Resource":"*"}]}`, Parse, []string{`Version: unsupported version`}},
		{"an unknown top-level element", `{"Versio":"2012-10-17","Statement":[]}`, Parse,
			[]string{`Versio: unknown element`, "Statement: must hold at least one"}},
		{
			"every problem of several statements at once",
			`{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Permit","Action":"s3:Fly","Resource":"bucket"},` +
				`{"Effect":"Allow","Action":"ec2:RunInstances","NotResource":"*","Extra":1}]}`,
			Parse,
			[]string{
				`Statement[0].Effect: must be "Allow" or "Deny"`,
				`Statement[0].Action[0]: unknown action "s3:Fly"`,
				`Statement[0].Resource[0]: "bucket" is not an S3 resource ARN`,
				`Statement[1].Extra: unknown element`,
				`Statement[1].Action[0]: unknown action "ec2:RunInstances": only s3:*`,
			},
		},
		{"both Action and NotAction", `{"Statement":{"Effect":"Allow","Action":"s3:*",` +
			`"NotAction":"s3:GetObject","Resource":"*"}}`, Parse,
			[]string{"has both Action and NotAction"}},
		{"no Resource", `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, Parse,
			[]string{"missing required element Resource"}},
		{"a wildcard action that matches nothing", `{"Statement":{"Effect":"Allow",` +
			`"Action":"s3:Launch*","Resource":"*"}}`, Parse,
			[]string{`unknown action "s3:Launch*"`}},
		{"an unknown condition operator", `{"Statement":{"Effect":"Allow","Action":"s3:*",` +
			`"Resource":"*","Condition":{"StringSorta":{"aws:username":"a"}}}}`, Parse,
			[]string{`Condition.StringSorta: unknown condition operator`}},
		{"a qualified Null operator", `{"Statement":{"Effect":"Allow","Action":"s3:*",` +
			`"Resource":"*","Condition":{"ForAnyValue:Null":{"s3:prefix":"true"}}}}`, Parse,
			[]string{`unknown condition operator "ForAnyValue:Null"`}},
		{"bad condition values", `{"Statement":{"Effect":"Allow","Action":"s3:*",` +
			`"Resource":"*","Condition":{"NumericEquals":{"s3:max-keys":"ten"},` +
			`"IpAddress":{"aws:SourceIp":"10.0.0.0/33"},` +
			`"DateLessThan":{"aws:CurrentTime":"soon"},` +
			`"Bool":{"aws:SecureTransport":"yes"},"ArnLike":{"aws:SourceArn":"bucket"}}}}`, Parse,
			[]string{`"ten" is not a number`, `"10.0.0.0/33" is not an IP address`,
				`"soon" is not a date`, `"yes" is not true or false`, `"bucket" is not an ARN`}},
		{"a principal that is not an ARN", `{"Statement":{"Effect":"Allow","Principal":` +
			`{"AWS":["alice"]},"Action":"s3:*","Resource":"*"}}`, Parse,
			[]string{`Statement.Principal.AWS[0]: "alice" is not a principal ARN`}},
		{"a service principal", `{"Statement":{"Effect":"Allow","Principal":` +
			`{"Service":"s3.amazonaws.com"},"Action":"s3:*","Resource":"*"}}`, Parse,
			[]string{`Principal.Service: unknown element`, `Principal: missing the AWS element`}},
		{"duplicate Sids", `{"Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:*",` +
			`"Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, Parse,
			[]string{`Statement[1].Sid: duplicate Sid "a"`}},
		{"an unclosed policy variable", `{"Version":"2012-10-17","Statement":{"Effect":` +
			`"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username"}}`, Parse,
			[]string{"is not closed"}},
		{"a bucket policy statement without a principal", `{"Statement":{"Effect":"Allow",` +
			`"Action":"s3:*","Resource":"*"}}`, ParseBucket,
			[]string{"missing required element Principal"}},
		{"an identity policy with a principal", `{"Statement":{"Effect":"Allow",` +
			`"Principal":"*","Action":"s3:*","Resource":"*"}}`, ParseIdentity,
			[]string{"must not name a Principal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.parse([]byte(tt.doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got error %v, want a *ParseError", err)
			}
			if len(pe.Problems) != len(tt.want) {
				t.Errorf("got %d problems (%v), want %d", len(pe.Problems), err, len(tt.want))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestActionsAreSortedAndKnown(t *testing.T) {
	t.Parallel()
	list := Actions()
	for i, a := range list {
		if i > 0 && list[i-1] >= a {
			t.Errorf("got %q after %q, want name order", a, list[i-1])
		}
		if err := checkAction(strings.ToLower(a)); err != nil {
			t.Errorf("got %v for %q in lower case, want it accepted", err, a)
		}
	}
}
