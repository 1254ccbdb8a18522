package model

import (
	"fmt"
	"strings"
	"testing"
)

func TestBucketSpecValidation(t *testing.T) {
	t.Parallel()
	manyTags := map[string]string{}
	for i := range MaxBucketTags + 1 {
		manyTags[fmt.Sprintf("k%d", i)] = "v"
	}
	fifty := map[string]string{}
	for i := range MaxBucketTags {
		fifty[fmt.Sprintf("k%d", i)] = "v"
	}
	tests := []struct {
		name  string
		spec  BucketSpec
		field string // "" when the spec is valid
		words string
	}{
		{"no settings is valid", BucketSpec{}, "", ""},
		{"versioning Enabled is valid", BucketSpec{Versioning: "Enabled"}, "", ""},
		{"versioning Suspended is valid", BucketSpec{Versioning: "Suspended"}, "", ""},
		{"versioning in lowercase is invalid", BucketSpec{Versioning: "enabled"},
			"spec.versioning", "case-sensitive"},
		{"versioning Disabled is invalid", BucketSpec{Versioning: "Disabled"},
			"spec.versioning", "not a versioning state"},
		{"empty tags are valid", BucketSpec{Tags: map[string]string{}}, "", ""},
		{"fifty tags are valid", BucketSpec{Tags: fifty}, "", ""},
		{"fifty-one tags are too many", BucketSpec{Tags: manyTags}, "spec.tags",
			"at most 50"},
		{"an empty tag value is valid", BucketSpec{Tags: map[string]string{"k": ""}}, "", ""},
		{"an empty tag key is invalid", BucketSpec{Tags: map[string]string{"": "v"}},
			`spec.tags[""]`, "empty key"},
		{"a 128-character key is valid",
			BucketSpec{Tags: map[string]string{strings.Repeat("k", 128): "v"}}, "", ""},
		{"a 129-character key is too long",
			BucketSpec{Tags: map[string]string{strings.Repeat("k", 129): "v"}},
			`spec.tags["` + strings.Repeat("k", 129) + `"]`, "at most 128"},
		{"a 256-character value is valid",
			BucketSpec{Tags: map[string]string{"k": strings.Repeat("v", 256)}}, "", ""},
		{"a 257-character value is too long",
			BucketSpec{Tags: map[string]string{"k": strings.Repeat("v", 257)}},
			`spec.tags["k"]`, "at most 256"},
		{"key lengths count characters, not bytes",
			BucketSpec{Tags: map[string]string{strings.Repeat("é", 128): "v"}}, "", ""},
		{"a key with the aws: prefix is reserved",
			BucketSpec{Tags: map[string]string{"aws:cloudformation": "v"}},
			`spec.tags["aws:cloudformation"]`, "reserves"},
		{"the aws: prefix is reserved in any case",
			BucketSpec{Tags: map[string]string{"AWS:x": "v"}}, `spec.tags["AWS:x"]`,
			"reserves"},
		{"a key with characters S3 refuses is invalid",
			BucketSpec{Tags: map[string]string{"k{}<>": "v"}}, `spec.tags["k{}<>"]`,
			"characters S3 refuses"},
		{"a value with a control character is invalid",
			BucketSpec{Tags: map[string]string{"k": "v\u0001"}}, `spec.tags["k"]`,
			"characters S3 refuses"},
		{"a key that is not UTF-8 is invalid",
			BucketSpec{Tags: map[string]string{"\xff": "v"}}, `spec.tags["\xff"]`,
			"UTF-8"},
		{"a policy that is not JSON is invalid", BucketSpec{Policy: "allow all"},
			"spec.policy", "not a JSON object"},
		{"a policy that is a JSON array is invalid", BucketSpec{Policy: "[]"},
			"spec.policy", "not a JSON object"},
		{"a policy over 20 KiB is too long",
			BucketSpec{Policy: `{"Id":"` + strings.Repeat("x", 20<<10) + `"}`},
			"spec.policy", "at most 20480"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.spec.Tenant = "acme"
			v := tt.spec.Validate()
			if tt.field == "" {
				if len(v) > 0 {
					t.Errorf("got violations %v, want none", v)
				}
				return
			}
			if !hasBucketViolation(v, tt.field, tt.words) {
				t.Errorf("got violations %v, want one of %s saying %q", v, tt.field, tt.words)
			}
		})
	}
}

func TestNotBuiltBucketSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spec  BucketSpec
		field string
		words string
	}{
		{"default encryption needs SSE",
			BucketSpec{Encryption: &BucketEncryption{Algorithm: "AES256"}},
			"spec.encryption", "needs server-side encryption"},
		{"a lifecycle transition needs tiering",
			BucketSpec{Lifecycle: []BucketLifecycleRule{{ID: "a", ExpireDays: 1},
				{ID: "r", TransitionDays: 30, TransitionTier: "cold"}}},
			"spec.lifecycle[1]", "lifecycle transitions are not built yet"},
		{"a transition tier alone needs tiering too",
			BucketSpec{Lifecycle: []BucketLifecycleRule{{ID: "r", ExpireDays: 9,
				TransitionTier: "cold"}}},
			"spec.lifecycle[0]", "tiering is later work"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.spec.NotBuilt()
			if len(v) != 1 || !hasBucketViolation(v, tt.field, tt.words) {
				t.Errorf("got %v, want exactly one violation of %s saying %q", v, tt.field,
					tt.words)
			}
		})
	}
	t.Run("settings that are built are not refused", func(t *testing.T) {
		t.Parallel()
		spec := BucketSpec{Versioning: "Enabled", Tags: map[string]string{"a": "b"},
			Policy: "{}", ObjectLock: &BucketObjectLock{Mode: LockGovernance, Days: 1},
			Quota:     &BucketQuota{MaxSize: "1Gi", MaxObjects: 10},
			Lifecycle: []BucketLifecycleRule{{ID: "old", Prefix: "logs/", ExpireDays: 30}}}
		if v := spec.NotBuilt(); len(v) > 0 {
			t.Errorf("got %v, want none", v)
		}
	})
}

func TestVersioningCannotGoBackToUnset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		old, new string
		ok       bool
	}{
		{"", "", true},
		{"", "Enabled", true},
		{"", "Suspended", true},
		{"Enabled", "Suspended", true},
		{"Suspended", "Enabled", true},
		{"Enabled", "", false},
		{"Suspended", "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("from %q to %q", tt.old, tt.new), func(t *testing.T) {
			t.Parallel()
			var v Violations
			ValidateVersioningChange(&v, "spec.versioning", tt.old, tt.new)
			if got := len(v) == 0; got != tt.ok {
				t.Errorf("got allowed %v (%v), want %v", got, v, tt.ok)
			}
			if !tt.ok && !hasBucketViolation(v, "spec.versioning", "set Suspended") {
				t.Errorf("got %v, want advice to set Suspended", v)
			}
		})
	}
}

func TestPoliciesEqual(t *testing.T) {
	t.Parallel()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"the same bytes are equal", doc, doc, true},
		{"white space does not matter", doc, "{\n  \"Version\": \"2012-10-17\",\n" +
			"  \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\" } ]\n}",
			true},
		{"key order does not matter", doc, `{"Statement":[{"Action":"s3:GetObject",` +
			`"Effect":"Allow"}],"Version":"2012-10-17"}`, true},
		{"another value differs", doc, strings.Replace(doc, "Allow", "Deny", 1), false},
		{"statement order matters", `{"Statement":[1,2]}`, `{"Statement":[2,1]}`, false},
		{"a number keeps its spelling", `{"a":1}`, `{"a":1.0}`, false},
		{"an empty policy is not a document", "", doc, false},
		{"two non-JSON strings compare as bytes", "x", "x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := PoliciesEqual(tt.a, tt.b); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// hasBucketViolation reports whether v has a violation of field that says words.
func hasBucketViolation(v Violations, field, words string) bool {
	for _, f := range v {
		if f.Field == field && strings.Contains(f.Description, words) {
			return true
		}
	}
	return false
}

func TestBucketPolicyGrammar(t *testing.T) {
	t.Parallel()
	stmt := func(s string) string {
		return `{"Version":"2012-10-17","Statement":[` + s + `]}`
	}
	read := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::logs/*"}`
	tests := []struct {
		name  string
		doc   string
		field string // "" when valid
		words string
	}{
		{"a public-read policy is valid", stmt(read), "", ""},
		{"a statement without a principal is refused",
			stmt(strings.Replace(read, `"Principal":"*",`, "", 1)), "spec.policy.Statement[0]",
			"rincipal"},
		{"an action Strata does not serve is refused",
			stmt(strings.Replace(read, "s3:GetObject", "ec2:RunInstances", 1)),
			"spec.policy.Statement[0].Action", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v Violations
			ValidateBucketPolicy(&v, "spec.policy", tt.doc)
			if tt.field == "" {
				if len(v) > 0 {
					t.Errorf("got violations %v, want none", v)
				}
				return
			}
			if !hasBucketViolationUnder(v, tt.field, tt.words) {
				t.Errorf("got violations %v, want one under %s saying %q", v, tt.field,
					tt.words)
			}
		})
	}
}

func TestPolicyResourcesMustLieInTheBucket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		resource string
		ok       bool
	}{
		{"arn:aws:s3:::logs", true},
		{"arn:aws:s3:::logs/*", true},
		{"arn:aws:s3:::logs/public/*", true},
		{"arn:aws:s3:::log*", true},
		{"arn:aws:s3:::other/*", false},
		{"arn:aws:s3:::logsx", false},
		{"arn:aws:s3:::logs-archive/*", false},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			t.Parallel()
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
				`"Principal":"*","Action":"s3:GetObject","Resource":"` + tt.resource + `"}]}`
			var v Violations
			ValidatePolicyResources(&v, "spec.policy", doc, "logs")
			if got := len(v) == 0; got != tt.ok {
				t.Errorf("got accepted %v (%v), want %v", got, v, tt.ok)
			}
		})
	}
}

// hasBucketViolationUnder reports whether v has a violation of field, or
// of a path below it, that says words.
func hasBucketViolationUnder(v Violations, field, words string) bool {
	for _, f := range v {
		if strings.HasPrefix(f.Field, field) && strings.Contains(f.Description, words) {
			return true
		}
	}
	return false
}
