package telemetry

import (
	"strings"
	"testing"
)

// TestBulkItemFailuresSayWhatElasticsearchFound: a refused item's error
// reads as Elasticsearch's type and reason, not as a Go value.
func TestBulkItemFailuresSayWhatElasticsearchFound(t *testing.T) {
	t.Parallel()
	batch := [][]byte{[]byte(`{"a":1}`), []byte(`{"a":2}`)}
	body := `{"errors":true,"items":[{"index":{"status":201}},{"index":{"status":400,` +
		`"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [a]",` +
		`"caused_by":{"type":"x"}}}}]}`
	o := bulkOutcome(batch, []byte(body))
	want := "an item got status 400: mapper_parsing_exception: failed to parse field [a]"
	if o.err == nil || o.err.Error() != want || o.refused != 1 || len(o.retry) != 0 {
		t.Errorf("got err %v, refused %d, retry %d; want %q, 1 refused, none to retry",
			o.err, o.refused, len(o.retry), want)
	}
	for raw, want := range map[string]string{
		`"document already exists"`:  "document already exists",
		`{"reason":"only a reason"}`: "only a reason",
		`{"type":"only_a_type"}`:     "only_a_type",
		`[1,2,3]`:                    "[1,2,3]",
	} {
		if got := bulkItemError([]byte(raw)); got != want {
			t.Errorf("error %s: got %q, want %q", raw, got, want)
		}
	}
	if got := bulkItemError([]byte(`[` + strings.Repeat(`1,`, 400) + `1]`)); len(got) != 300 {
		t.Errorf("a long error: got %d bytes, want the first 300", len(got))
	}
}
