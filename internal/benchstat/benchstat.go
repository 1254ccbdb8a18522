// Package benchstat holds what Strata's benchmark programs share: the
// median and spread of repeated runs, the way numbers are printed, and
// what the report says about the machine. It measures nothing itself.
package benchstat

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Stats is the median and the spread of samples.
type Stats struct {
	Median, Min, Max float64
}

// Summarize returns the median, least and greatest of samples, which must
// not be empty.
func Summarize(samples []float64) Stats {
	s := slices.Sorted(slices.Values(samples))
	n := len(s)
	m := s[n/2]
	if n%2 == 0 {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	return Stats{Median: m, Min: s[0], Max: s[n-1]}
}

// Percentile returns the p-th percentile (0 < p <= 100) of samples by the
// nearest-rank method; samples must not be empty.
func Percentile(samples []time.Duration, p float64) time.Duration {
	s := slices.Sorted(slices.Values(samples))
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// FormatSamples prints "median (min-max)", or "-" without samples.
func FormatSamples(samples []float64) string {
	if len(samples) == 0 {
		return "-"
	}
	s := Summarize(samples)
	return fmt.Sprintf("%s (%s-%s)", FormatNumber(s.Median), FormatNumber(s.Min),
		FormatNumber(s.Max))
}

// FormatNumber prints three or more significant digits.
func FormatNumber(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// CPUModel returns the processor's model name from /proc/cpuinfo, or
// "unknown CPU".
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// LoadAverage returns the 1, 5 and 15 minute load averages from
// /proc/loadavg, or "unknown".
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
