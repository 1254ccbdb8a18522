package benchstat

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		samples []float64
		want    Stats
	}{
		{"one sample is its own median", []float64{4}, Stats{4, 4, 4}},
		{"an odd count takes the middle", []float64{5, 1, 9, 3, 7}, Stats{5, 1, 9}},
		{"an even count averages the middle two", []float64{4, 1, 2, 8}, Stats{3, 1, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarize(tt.samples); got != tt.want {
				t.Errorf("Summarize(%v): got %+v, want %+v", tt.samples, got, tt.want)
			}
		})
	}
}

func TestPercentileTakesTheNearestRank(t *testing.T) {
	t.Parallel()
	var s []time.Duration
	for i := 100; i >= 1; i-- {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond,
		99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := Percentile(s, p); got != want {
			t.Errorf("p%v: got %s, want %s", p, got, want)
		}
	}
}

func TestFormatSamples(t *testing.T) {
	t.Parallel()
	tests := map[string][]float64{
		"-":                nil,
		"150 (0.500-2000)": {0.5, 150, 2000},
		"12.5 (1.25-12.5)": {1.25, 12.5, 12.5},
	}
	for want, samples := range tests {
		if got := FormatSamples(samples); got != want {
			t.Errorf("FormatSamples(%v): got %q, want %q", samples, got, want)
		}
	}
}
