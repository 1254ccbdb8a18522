package policy

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary documents to Parse: it must never panic,
// must refuse with a *ParseError that names at least one problem, and
// what it accepts must evaluate without panicking to one of the three
// decisions. The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("got error %v, want a *ParseError with problems", err)
			}
			return
		}
		req := Request{Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
			Context: map[string][]string{"aws:username": {"a*"}, "s3:prefix": {"x", "y"},
				"aws:SourceIp": {"127.0.0.1"}, "aws:CurrentTime": {"2026-01-01T00:00:00Z"}}}
		if d := p.Evaluate(req); d != NoMatch && d != Allow && d != ExplicitDeny {
			t.Fatalf("got decision %d", d)
		}
	})
}
