package compat

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// outcome is what one operation of one client did: err is nil when the
// operation worked and its result was checked.
type outcome struct {
	op  string
	err error
}

// gap is an operation of a client that is known not to work yet, with
// the reason. When want is set, the failure must mention it, so that a
// gap that fails for another reason is noticed.
type gap struct {
	op     string
	reason string
	want   string
}

// row is one client's line of the matrix.
type row struct {
	client   string   // the client's name and version
	passed   []string // operations that worked
	gaps     []gap    // expected gaps that failed as expected
	problems []string // why the client's test fails; empty when it passes
}

// judge compares what a client did with its gap table. An unexpected
// failure, a gap that passes, a gap that fails for another reason and a
// gap that never ran are all problems.
func judge(client string, outcomes []outcome, gaps []gap) row {
	listed := make(map[string]gap, len(gaps))
	for _, g := range gaps {
		listed[g.op] = g
	}
	r := row{client: client}
	ran := make(map[string]bool, len(outcomes))
	for _, o := range outcomes {
		ran[o.op] = true
		r.add(o, listed)
	}
	for _, g := range gaps {
		if !ran[g.op] {
			r.problems = append(r.problems, fmt.Sprintf(
				"%s is in the gap list but did not run: remove it from the gap list", g.op))
		}
	}
	return r
}

// add files one outcome under passed, gaps or problems.
func (r *row) add(o outcome, listed map[string]gap) {
	g, expected := listed[o.op]
	switch {
	case o.err == nil && !expected:
		r.passed = append(r.passed, o.op)
	case o.err == nil:
		r.problems = append(r.problems, fmt.Sprintf(
			"%s passes now: remove it from the gap list (it was there because: %s)",
			o.op, g.reason))
	case !expected:
		r.problems = append(r.problems, fmt.Sprintf(
			"%s failed and is not an expected gap: %v", o.op, o.err))
	case g.want != "" && !strings.Contains(o.err.Error(), g.want):
		r.problems = append(r.problems, fmt.Sprintf(
			"%s failed, but not with %q as its gap (%s) expects: %v",
			o.op, g.want, g.reason, o.err))
	default:
		r.gaps = append(r.gaps, g)
	}
}

// matrix collects the rows of clients that run in parallel, in the order
// of the clients, so that the table does not depend on timing.
type matrix struct {
	mu    sync.Mutex
	names []string // what to call a client whose row never came
	rows  []row
}

func newMatrix(names []string) *matrix {
	return &matrix{names: names, rows: make([]row, len(names))}
}

func (m *matrix) set(i int, r row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[i] = r
}

// detailAfter is the number of results past which a client's line holds
// only counts, and its results get a table of their own under the matrix.
const detailAfter = 30

// markdown renders the matrix as Markdown: one line per client with the
// operations that passed and the gaps grouped by reason, then a table for
// each client with too many results for one line.
func (m *matrix) markdown() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("| Client | Operations passed | Known gaps, by reason |\n")
	b.WriteString("| --- | --- | --- |\n")
	for i, r := range m.rows {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(r.cells(m.names[i]), " | "))
	}
	for _, r := range m.rows {
		if r.detailed() {
			b.WriteString("\n" + r.detailTable())
		}
	}
	return b.String()
}

func (r row) total() int {
	return len(r.passed) + len(r.gaps)
}

func (r row) detailed() bool {
	return r.total() > detailAfter
}

// cells are the row's three cells in the matrix; name stands in for a
// client whose test stopped before it had a row.
func (r row) cells(name string) []string {
	if r.client == "" {
		return []string{cell(name), "did not run to the end; see the test log", ""}
	}
	passed := fmt.Sprintf("%d of %d: %s", len(r.passed), r.total(),
		strings.Join(r.passed, ", "))
	gaps := "none"
	if groups := r.gapsByReason(); len(groups) > 0 {
		lines := make([]string, len(groups))
		for i, g := range groups {
			lines[i] = g.String()
		}
		gaps = strings.Join(lines, "<br>")
	}
	if r.detailed() {
		passed = fmt.Sprintf("%d of %d (listed below)", len(r.passed), r.total())
		gaps = fmt.Sprintf("%d, for %d reasons (listed below)", len(r.gaps),
			len(r.gapsByReason()))
	}
	if len(r.problems) > 0 {
		passed += fmt.Sprintf("<br>**%d unexpected results; see the test log**",
			len(r.problems))
	}
	return []string{cell(r.client), cell(passed), cell(gaps)}
}

// detailTable lists a client's results: what passed, then each reason
// with the operations it holds back.
func (r row) detailTable() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n\n| Result | Operations |\n| --- | --- |\n", r.client)
	fmt.Fprintf(&b, "| passed (%d) | %s |\n", len(r.passed), cell(strings.Join(r.passed, ", ")))
	for _, g := range r.gapsByReason() {
		fmt.Fprintf(&b, "| %s (%d) | %s |\n", cell(g.reason), len(g.ops),
			cell(strings.Join(g.ops, ", ")))
	}
	return b.String()
}

// reasonGroup is the operations that one reason holds back.
type reasonGroup struct {
	reason string
	ops    []string
}

func (g reasonGroup) String() string {
	return g.reason + ": " + strings.Join(g.ops, ", ")
}

// gapsByReason groups a row's gaps by reason, reasons in the order they
// first appear.
func (r row) gapsByReason() []reasonGroup {
	var groups []reasonGroup
	index := map[string]int{}
	for _, g := range r.gaps {
		i, ok := index[g.reason]
		if !ok {
			i = len(groups)
			index[g.reason] = i
			groups = append(groups, reasonGroup{reason: g.reason})
		}
		groups[i].ops = append(groups[i].ops, g.op)
	}
	return groups
}

// cell escapes what would break a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// readmeHeading opens the README section that the matrix lives in.
const readmeHeading = "## S3 client compatibility"

// readmeSection is the whole README section for a matrix table.
func readmeSection(table string) string {
	return readmeHeading + "\n\n" +
		"`go test ./storaged/compat` (part of `make test`; `scripts/deps.sh` installs the\n" +
		"clients) starts a real storaged over TLS on loopback (4 drives, parity 2) and\n" +
		"drives it with each client below. Every client has a table of expected gaps in\n" +
		"its test file; an unexpected failure fails the test, and so does a gap that\n" +
		"starts to pass. The test log prints this table; `go test ./storaged/compat\n" +
		"-update-readme` regenerates it here.\n\n" + table
}

// replaceSection returns readme with its section under heading replaced by
// section, or section appended when there is none. The section ends at the
// next second-level heading or at the end of the file.
func replaceSection(readme, heading, section string) string {
	start := strings.Index(readme, "\n"+heading+"\n")
	if start < 0 {
		return strings.TrimRight(readme, "\n") + "\n\n" + section
	}
	start++
	rest := readme[start+len(heading):]
	end := strings.Index(rest, "\n## ")
	if end < 0 {
		return readme[:start] + section
	}
	return readme[:start] + section + "\n" + rest[end+1:]
}

// writeREADME puts the matrix into the repository's README.md.
func writeREADME(t *testing.T, table string) {
	t.Helper()
	path := filepath.Join("..", "..", "README.md")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading README.md: %v", err)
	}
	updated := replaceSection(string(old), readmeHeading, readmeSection(table))
	if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
		t.Fatalf("writing README.md: %v", err)
	}
	t.Logf("wrote the matrix into %s", path)
}
