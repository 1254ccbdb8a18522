package main

import (
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    figure
		want string
	}{
		{"a ratio under the goal is met",
			figure{value: []float64{4}, baseline: []float64{1}, goal: 5}, "met"},
		{"a ratio equal to the goal is met",
			figure{value: []float64{10}, baseline: []float64{2}, goal: 5}, "met"},
		{"a ratio over the goal is missed",
			figure{value: []float64{11, 12, 13}, baseline: []float64{1, 2, 3}, goal: 5}, "MISSED"},
		{"a figure without a goal has no verdict",
			figure{value: []float64{100}, baseline: []float64{1}}, "-"},
		{"a zero baseline gives no verdict",
			figure{value: []float64{1}, baseline: []float64{0}, goal: 5}, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.f.verdict(); got != tt.want {
				t.Errorf("verdict: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReportWritesMissedLines(t *testing.T) {
	t.Parallel()
	r := report{header: []string{"head"}, footer: []string{"foot"}, sections: []section{{
		name: "api",
		figures: []figure{
			{name: "PUT p50", unit: "ms", value: []float64{30}, baseline: []float64{3}, goal: 5},
			{name: "GET p50", unit: "ms", value: []float64{6}, baseline: []float64{3}, goal: 5},
		},
	}}}
	var b strings.Builder
	if err := r.write(&b); err != nil {
		t.Fatalf("write: %v", err)
	}
	out := b.String()
	for _, want := range []string{
		"MISSED: api PUT p50: ratio 10.00, goal <= 5\n",
		"goals met: 1 of 2\n",
		"30.0 (30.0-30.0)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report: got\n%s\nwant it to contain %q", out, want)
		}
	}
	if strings.Contains(out, "MISSED: api GET") {
		t.Errorf("report: got a MISSED line for GET p50 (ratio 2), want none:\n%s", out)
	}
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"the defaults are valid", nil, ""},
		{"zero runs are refused", []string{"-runs", "0"}, "-runs 0"},
		{"too many requests are refused", []string{"-requests", "1000000"}, "-requests"},
		{"a stray argument is refused", []string{"extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseConfig(tt.args, &strings.Builder{})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("parseConfig(%q): got %v, want no error", tt.args, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("parseConfig(%q): got %v, want an error with %q", tt.args, err, tt.wantErr)
			}
		})
	}
}
