// Command testreport reads `go test -json` output on standard input, prints
// the output of every failed test and one line per package, and ends with
// a line "N passed, N failed, N skipped". It exits 1 when any test failed
// or was skipped, or when a package failed to build: in Strata a skipped
// test is a missing install step, not a pass.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// event is one line of test2json output.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type report struct {
	passed, failed, skipped int
	output                  map[string][]string // test output, kept until it passes
	bad                     []string
}

func main() {
	r := &report{output: map[string][]string{}}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // build errors arrive as plain text
			continue
		}
		r.handle(e)
	}
	for _, b := range r.bad {
		fmt.Println(b)
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", r.passed, r.failed, r.skipped)
	if r.failed > 0 || r.skipped > 0 || len(r.bad) > 0 {
		os.Exit(1)
	}
}

func (r *report) handle(e event) {
	id := e.Package + " " + e.Test
	switch e.Action {
	case "output":
		r.output[id] = append(r.output[id], e.Output)
	case "pass":
		if e.Test == "" {
			fmt.Printf("ok    %s (%.1fs)\n", e.Package, e.Elapsed)
		} else {
			r.passed++
		}
		delete(r.output, id)
	case "skip":
		if e.Test != "" {
			r.skipped++
			r.bad = append(r.bad, "SKIPPED "+id+": "+strings.TrimSpace(lastLine(r.output[id])))
		}
		delete(r.output, id)
	case "fail":
		if e.Test != "" {
			r.failed++
		}
		fmt.Printf("FAIL  %s\n%s", id, strings.Join(r.output[id], ""))
		if e.Test == "" {
			r.bad = append(r.bad, "FAILED package "+e.Package)
		}
		delete(r.output, id)
	}
}

func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" && !strings.HasPrefix(s, "---") {
			return s
		}
	}
	return ""
}
