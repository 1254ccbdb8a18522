package esdouble

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends body to path and returns the status and the decoded answer.
func post(t *testing.T, s *Server, path, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(s.URL+path, "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("the answer is not JSON: %v: %s", err, raw)
	}
	return resp.StatusCode, out
}

func TestBulkStoresDocumentsByIndex(t *testing.T) {
	t.Parallel()
	s := Start(t)
	body := `{"index":{"_index":"a"}}` + "\n" + `{"n":1}` + "\n" +
		`{"create":{"_id":"x"}}` + "\n" + `{"n":2}` + "\n"
	status, out := post(t, s, "/b/_bulk", body)
	if status != http.StatusOK || out["errors"] != false {
		t.Fatalf("got %d %v, want 200 without errors", status, out)
	}
	if _, ok := out["took"].(float64); !ok {
		t.Errorf("took: got %v, want a number", out["took"])
	}
	items := fmt.Sprint(out["items"])
	for _, want := range []string{"index:map[_id:esdouble-1 _index:a result:created status:201]",
		"create:map[_id:x _index:b result:created status:201]"} {
		if !strings.Contains(items, want) {
			t.Errorf("items %s: want %s", items, want)
		}
	}
	if got := fmt.Sprintf("%s %s", s.Docs("a"), s.Docs("b")); got != `[{"n":1}] [{"n":2}]` {
		t.Errorf("docs: got %s", got)
	}
}

func TestBulkRefusesMalformedNDJSON(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tests := []struct{ name, path, body, want string }{
		{"an action line that is not JSON", "/_bulk", "nope\n{}\n", "malformed action"},
		{"an action without its document", "/_bulk", `{"index":{"_index":"a"}}` + "\n",
			"no document"},
		{"a document that is not JSON", "/_bulk", `{"index":{"_index":"a"}}` + "\n{\n",
			"malformed document"},
		{"an action the double does not take", "/_bulk",
			`{"delete":{"_index":"a","_id":"1"}}` + "\n", "not supported"},
		{"no index anywhere", "/_bulk", `{"index":{}}` + "\n{}\n", "index is missing"},
		{"an empty body", "/_bulk", "", "body is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := post(t, s, tt.path, tt.body)
			e, _ := out["error"].(map[string]any)
			if status != http.StatusBadRequest || out["status"] != 400.0 || e == nil ||
				e["type"] != "illegal_argument_exception" ||
				!strings.Contains(fmt.Sprint(e["reason"]), tt.want) {
				t.Errorf("got %d %v, want 400 with an error whose reason holds %q", status,
					out, tt.want)
			}
		})
	}
	if n := len(s.Docs("a")); n != 0 {
		t.Errorf("got %d documents stored from bad requests, want 0", n)
	}
}

func TestFailuresCanBeOrdered(t *testing.T) {
	t.Parallel()
	s := Start(t)
	doc := `{"index":{"_index":"a"}}` + "\n{}\n"
	s.FailRequests(1)
	if status, _ := post(t, s, "/_bulk", doc); status != http.StatusServiceUnavailable {
		t.Errorf("first request: got %d, want 503", status)
	}
	s.FailItems(1)
	status, out := post(t, s, "/_bulk", doc+doc)
	items := fmt.Sprint(out["items"])
	if status != http.StatusOK || out["errors"] != true || !strings.Contains(items,
		"status:429") || !strings.Contains(items, "status:201") {
		t.Errorf("got %d %v, want 200 with one item refused (429) and one created", status, out)
	}
	if n, reqs := len(s.Docs("a")), s.Requests(); n != 1 || reqs != 2 {
		t.Errorf("got %d documents and %d requests, want 1 and 2", n, reqs)
	}
}

func TestOtherPathsAre404(t *testing.T) {
	t.Parallel()
	s := Start(t)
	if status, _ := post(t, s, "/a/b/_bulk", "{}"); status != http.StatusNotFound {
		t.Errorf("got %d, want 404", status)
	}
}
