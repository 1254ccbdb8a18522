package compat

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	t.Parallel()
	failed := errors.New("501 NotImplemented")
	gaps := []gap{{op: "big", reason: "multipart", want: "NotImplemented"}}
	tests := []struct {
		name         string
		outcomes     []outcome
		wantPassed   []string
		wantGaps     int
		wantProblems []string
	}{
		{"a pass outside the gap list is a pass",
			[]outcome{{"small", nil}, {"big", failed}}, []string{"small"}, 1, nil},
		{"an unexpected failure is a problem",
			[]outcome{{"small", failed}, {"big", failed}}, nil, 1,
			[]string{"small failed and is not an expected gap"}},
		{"a gap that passes must leave the gap list",
			[]outcome{{"big", nil}}, nil, 0,
			[]string{"big passes now: remove it from the gap list"}},
		{"a gap that fails for another reason is a problem",
			[]outcome{{"big", errors.New("500 InternalError")}}, nil, 0,
			[]string{`big failed, but not with "NotImplemented"`}},
		{"a gap that never ran is a problem",
			[]outcome{{"small", nil}}, []string{"small"}, 0,
			[]string{"big is in the gap list but did not run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := judge("client 1.0", tt.outcomes, gaps)
			if !slices.Equal(r.passed, tt.wantPassed) || len(r.gaps) != tt.wantGaps {
				t.Errorf("got passed %v and %d gaps, want %v and %d", r.passed, len(r.gaps),
					tt.wantPassed, tt.wantGaps)
			}
			if len(r.problems) != len(tt.wantProblems) {
				t.Fatalf("got problems %q, want %d", r.problems, len(tt.wantProblems))
			}
			for i, want := range tt.wantProblems {
				if !strings.HasPrefix(r.problems[i], want) {
					t.Errorf("got problem %q, want it to start with %q", r.problems[i], want)
				}
			}
		})
	}
}

func TestParseSuiteLog(t *testing.T) {
	t.Parallel()
	line := func(name, status string) string {
		return fmt.Sprintf(`{"name":"minio-go: %s","function":"F()","status":%q,`+
			`"alert":"F is NotImplemented","message":"m","error":"e"}`, name, status)
	}
	t.Run("each result line is one outcome, repeats numbered", func(t *testing.T) {
		t.Parallel()
		log := strings.Join([]string{line("testA", "PASS"), line("testB", "NA"),
			line("testA", "FAIL")}, "\n") + "\n"
		got, err := parseSuiteLog([]byte(log))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"testA: <nil>", "testB: NA in F(): F is NotImplemented",
			"testA (result 2): FAIL in F(): m: e"}
		if len(got) != len(want) {
			t.Fatalf("got %d outcomes, want %d", len(got), len(want))
		}
		for i := range want {
			if s := fmt.Sprintf("%s: %v", got[i].op, got[i].err); s != want[i] {
				t.Errorf("outcome %d: got %q, want %q", i, s, want[i])
			}
		}
	})
	t.Run("a line that is not a result is an error", func(t *testing.T) {
		t.Parallel()
		if _, err := parseSuiteLog([]byte("panic: boom\n")); err == nil {
			t.Error("got no error, want one")
		}
	})
}

func TestWithoutBuildConstraints(t *testing.T) {
	t.Parallel()
	src := "//go:build mint\n// +build mint\n\n/* licence */\n\npackage main\n\n" +
		"//go:build inside is kept\n"
	want := "\n/* licence */\n\npackage main\n\n//go:build inside is kept\n"
	if got := string(withoutBuildConstraints([]byte(src))); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReplaceSection(t *testing.T) {
	t.Parallel()
	const h = "## S3 client compatibility"
	const section = h + "\n\nnew\n"
	tests := []struct {
		name, readme, want string
	}{
		{"a README without the section gets it at the end",
			"# T\n\n## A\n\na\n", "# T\n\n## A\n\na\n\n" + section},
		{"a last section is replaced to the end",
			"# T\n\n" + h + "\n\nold\nolder\n", "# T\n\n" + section},
		{"a section before another keeps the other",
			"# T\n\n" + h + "\n\nold\n\n## B\n\nb\n", "# T\n\n" + section + "\n## B\n\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := replaceSection(tt.readme, h, section); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	m := newMatrix([]string{"tool", "other"})
	m.set(0, judge("tool 1.0", []outcome{{"put", nil}, {"big|put", errors.New("no")}},
		[]gap{{op: "big|put", reason: "multipart not built yet"}}))
	want := "| Client | Operations passed | Known gaps, by reason |\n" +
		"| --- | --- | --- |\n" +
		"| tool 1.0 | 1 of 2: put | multipart not built yet: big\\|put |\n" +
		"| other | did not run to the end; see the test log |  |\n"
	if got := m.markdown(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRenameModule(t *testing.T) {
	t.Parallel()
	goMod := "module github.com/strata-storage/strata\n\ngo 1.26\n\nrequire x v1\n"
	want := "module strata.test/m\n\ngo 1.26\n\nrequire x v1\n"
	if got := string(renameModule([]byte(goMod), "strata.test/m")); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
