package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/strata-storage/strata/internal/benchstat"
)

// figure is one line of the report: Strata's samples beside the
// baseline's, one sample of each per run, and the greatest ratio of their
// medians that meets the goal. Smaller values are better for every figure
// here (seconds, milliseconds).
type figure struct {
	name     string    // what is measured, e.g. "terraform apply"
	work     string    // what one run does, e.g. "200 resources"
	unit     string    // "s" or "ms"
	value    []float64 // Strata's samples
	baseline []float64 // the baseline's samples
	goal     float64   // the greatest ratio that meets the goal; 0 for none
}

// add records one run's sample of Strata and of the baseline.
func (f *figure) add(value, baseline float64) {
	f.value = append(f.value, value)
	f.baseline = append(f.baseline, baseline)
}

// ratio is the median of Strata's samples over the baseline's, and false
// when either is missing or the baseline is zero.
func (f figure) ratio() (float64, bool) {
	if len(f.value) == 0 || len(f.baseline) == 0 {
		return 0, false
	}
	b := benchstat.Summarize(f.baseline).Median
	if b == 0 {
		return 0, false
	}
	return benchstat.Summarize(f.value).Median / b, true
}

// verdict is "met", "MISSED", or "-" for a figure without a goal.
func (f figure) verdict() string {
	r, ok := f.ratio()
	switch {
	case f.goal == 0 || !ok:
		return "-"
	case r <= f.goal:
		return "met"
	default:
		return "MISSED"
	}
}

// section is one group of figures with the notes that say what they
// measure.
type section struct {
	name    string
	notes   []string
	figures []figure
}

// report is everything the program prints.
type report struct {
	header   []string // machine and method, one line each
	sections []section
	footer   []string
}

// write prints the report: header, sections, a MISSED line per missed
// goal, the count of goals met, and the footer.
func (r *report) write(w io.Writer) error {
	var b strings.Builder
	for _, l := range r.header {
		fmt.Fprintln(&b, l)
	}
	for _, s := range r.sections {
		writeSection(&b, s)
	}
	fmt.Fprintln(&b)
	met, goals := 0, 0
	for _, s := range r.sections {
		for _, f := range s.figures {
			switch f.verdict() {
			case "met":
				met++
				goals++
			case "MISSED":
				goals++
				fmt.Fprintf(&b, "MISSED: %s %s: ratio %s, goal %s\n",
					s.name, f.name, formatRatio(f), formatGoal(f.goal))
			}
		}
	}
	fmt.Fprintf(&b, "goals met: %d of %d\n", met, goals)
	for _, l := range r.footer {
		fmt.Fprintln(&b, l)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSection prints one section's notes and table.
func writeSection(b *strings.Builder, s section) {
	fmt.Fprintf(b, "\n== %s ==\n", s.name)
	for _, n := range s.notes {
		fmt.Fprintf(b, "  %s\n", n)
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\twork/run\tunit\tStrata\tbaseline\tratio\tgoal\tresult")
	for _, f := range s.figures {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.name, f.work, f.unit,
			benchstat.FormatSamples(f.value), benchstat.FormatSamples(f.baseline), formatRatio(f),
			formatGoal(f.goal), f.verdict())
	}
	_ = tw.Flush()
}

func formatRatio(f figure) string {
	r, ok := f.ratio()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f", r)
}

func formatGoal(goal float64) string {
	if goal == 0 {
		return "-"
	}
	return fmt.Sprintf("<= %g", goal)
}
