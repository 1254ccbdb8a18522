package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/strata-storage/strata/internal/benchstat"
)

// figure is one line of the report: a measurement and the baseline it is
// compared with, one sample of each per run.
type figure struct {
	name     string    // what is measured, e.g. "PUT 4 KiB, 16 in flight"
	unit     string    // "objects/s" or "MiB/s"
	work     string    // what one run does, e.g. "2000 x 4 KiB"
	value    []float64 // Strata's samples
	baseline []float64 // the baseline's samples; nil when there is none
	goal     float64   // the least ratio that meets the goal; 0 when there is none
}

// ratio is the median of the measurement over the median of the baseline,
// and false when the figure has no baseline.
func (f figure) ratio() (float64, bool) {
	if len(f.baseline) == 0 || len(f.value) == 0 {
		return 0, false
	}
	b := benchstat.Summarize(f.baseline).Median
	if b == 0 {
		return 0, false
	}
	return benchstat.Summarize(f.value).Median / b, true
}

// verdict says whether the figure meets its goal: "met", "MISSED", or
// "-" for a figure without a goal.
func (f figure) verdict() string {
	r, ok := f.ratio()
	switch {
	case f.goal == 0 || !ok:
		return "-"
	case r >= f.goal:
		return "met"
	default:
		return "MISSED"
	}
}

// section is the figures of one group and the notes that say what they
// measure.
type section struct {
	group   string
	figures []figure
	notes   []string
}

// report collects the figures of one run of the program.
type report struct {
	cfg      config
	machine  machineInfo
	started  time.Time
	elapsed  time.Duration
	loadEnd  string
	sections []section
}

// newReport starts a report, recording the machine as it is now.
func newReport(cfg config, started time.Time) *report {
	return &report{cfg: cfg, machine: readMachine(cfg), started: started}
}

// add appends a group's figures.
func (r *report) add(group string, figs []figure, notes []string) {
	r.sections = append(r.sections, section{group: group, figures: figs, notes: notes})
}

// finish records how long the program ran and the load at the end.
func (r *report) finish(elapsed time.Duration) {
	r.elapsed = elapsed
	r.loadEnd = benchstat.LoadAverage()
}

// write prints the report: the machine, each section's table, then the
// missed goals and a summary.
func (r *report) write(w io.Writer) error {
	var b strings.Builder
	r.writeHeader(&b)
	for _, s := range r.sections {
		writeSection(&b, s)
	}
	r.writeSummary(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *report) writeHeader(b *strings.Builder) {
	m := r.machine
	fmt.Fprintf(b, "Strata benchmark report, %s\n", r.started.UTC().Format(time.RFC3339))
	fmt.Fprintf(b, "machine: %d CPUs (nproc), GOMAXPROCS %d, %s, %s/%s\n",
		m.nproc, m.gomaxprocs, m.cpuModel, m.goos, m.goarch)
	fmt.Fprintf(b, "go: %s\n", m.goVersion)
	fmt.Fprintf(b, "file systems: -dir %s (%s), -memdir %s (%s)\n",
		r.cfg.dir, m.dirFS, r.cfg.memDir, m.memFS)
	fmt.Fprintf(b, "load average at start: %s\n", m.loadStart)
	if m.busy {
		fmt.Fprintf(b, "NOTE: the load average was above the %d CPUs at the start: other work "+
			"is running, and the figures are noisier than on an idle machine.\n", m.nproc)
	}
	fmt.Fprintf(b, "each figure: the median of %d runs, (min-max) across them; "+
		"ratio = Strata median / baseline median\n", r.cfg.runs)
}

// writeSection prints one group's notes and table.
func writeSection(b *strings.Builder, s section) {
	fmt.Fprintf(b, "\n== %s ==\n", s.group)
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

// writeSummary prints a MISSED line per missed goal, the count of goals
// met, and the running time.
func (r *report) writeSummary(b *strings.Builder) {
	fmt.Fprintln(b)
	met, goals := 0, 0
	for _, s := range r.sections {
		for _, f := range s.figures {
			switch f.verdict() {
			case "met":
				met++
				goals++
			case "MISSED":
				goals++
				fmt.Fprintf(b, "MISSED: %s %s: ratio %s, goal >= %.2f\n",
					s.group, f.name, formatRatio(f), f.goal)
			}
		}
	}
	fmt.Fprintf(b, "goals met: %d of %d\n", met, goals)
	fmt.Fprintf(b, "load average at end: %s\n", r.loadEnd)
	fmt.Fprintf(b, "running time: %s\n", r.elapsed.Round(time.Second))
}

func formatRatio(f figure) string {
	r, ok := f.ratio()
	switch {
	case !ok:
		return "-"
	case r < 0.1:
		return fmt.Sprintf("%.3f", r)
	default:
		return fmt.Sprintf("%.2f", r)
	}
}

func formatGoal(goal float64) string {
	if goal == 0 {
		return "-"
	}
	return fmt.Sprintf(">= %.2f", goal)
}
