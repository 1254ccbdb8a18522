package policy

import (
	"slices"
	"testing"
)

func TestResourcesOutsideABucket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		inside  bool
	}{
		{"arn:aws:s3:::bkt", true},
		{"arn:aws:s3:::bkt/*", true},
		{"arn:aws:s3:::bkt/home/${aws:username}/*", true},
		{"arn:aws:s3:::b*", true},
		{"*", true},
		{"arn:aws:s3:::bkt2", false},
		{"arn:aws:s3:::bkt2/*", false},
		{"arn:aws:s3:::other/*", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			p := &Policy{Statements: []Statement{{Resources: []string{tt.pattern}}}}
			got := p.ResourcesOutside("bkt")
			var want []string
			if !tt.inside {
				want = []string{tt.pattern}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
