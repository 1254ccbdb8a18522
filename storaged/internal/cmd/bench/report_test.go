package main

import (
	"strings"
	"testing"
	"time"
)

func TestVerdictComparesTheRatioOfMediansWithTheGoal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		f         figure
		wantRatio string
		want      string
	}{
		{"a ratio above the goal is met",
			figure{value: []float64{30, 10, 20}, baseline: []float64{80}, goal: 0.2},
			"0.25", "met"},
		{"a ratio equal to the goal is met",
			figure{value: []float64{20}, baseline: []float64{100}, goal: 0.2}, "0.20", "met"},
		{"a ratio below the goal is missed",
			figure{value: []float64{1}, baseline: []float64{200}, goal: 0.2}, "0.005", "MISSED"},
		{"a figure without a goal has no verdict",
			figure{value: []float64{1}, baseline: []float64{2}}, "0.50", "-"},
		{"a figure without a baseline has no ratio",
			figure{value: []float64{1}}, "-", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := formatRatio(tt.f); got != tt.wantRatio {
				t.Errorf("ratio: got %s, want %s", got, tt.wantRatio)
			}
			if got := tt.f.verdict(); got != tt.want {
				t.Errorf("verdict: got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestTheReportListsEveryFigureAndEveryMissedGoal(t *testing.T) {
	t.Parallel()
	r := newReport(config{runs: 3, dir: t.TempDir(), memDir: t.TempDir()}, time.Now())
	r.add("s3", []figure{
		{name: "PUT 4 KiB, 1 in flight", work: "10 x 4 KiB", unit: "objects/s",
			value: []float64{10, 12, 11}, baseline: []float64{100, 90, 110}, goal: 0.2},
		{name: "GET 4 KiB, 1 in flight", work: "10 x 4 KiB", unit: "objects/s",
			value: []float64{50, 40, 60}, baseline: []float64{100, 100, 100}, goal: 0.3},
	}, []string{"a note"})
	r.finish(90 * time.Second)
	var b strings.Builder
	if err := r.write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"go: go1.", "nproc", "load average at start",
		"a note",
		"PUT 4 KiB, 1 in flight  10 x 4 KiB  objects/s  11.0 (10.0-12.0)  100 (90.0-110)  0.11",
		"MISSED: s3 PUT 4 KiB, 1 in flight: ratio 0.11, goal >= 0.20",
		"goals met: 1 of 2",
		"running time: 1m30s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q; got:\n%s", want, out)
		}
	}
	if strings.Contains(out, "MISSED: s3 GET") {
		t.Errorf("the report calls a met goal missed; got:\n%s", out)
	}
}
