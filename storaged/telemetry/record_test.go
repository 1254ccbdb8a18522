package telemetry

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestADeleteObjectsRecordNamesWhatItDeleted: the record of a
// DeleteObjects carries the objects deleted; other records carry no
// deleted field at all.
func TestADeleteObjectsRecordNamesWhatItDeleted(t *testing.T) {
	t.Parallel()
	rec := testRecord
	rec.Operation = "DeleteObjects"
	rec.Deleted = []DeletedObject{{Key: "a/b"}, {Key: "c", VersionID: "v1"}}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := `"error":"AccessDenied","deleted":[{"key":"a/b","versionId":""},` +
		`{"key":"c","versionId":"v1"}]}`
	if !strings.HasSuffix(string(b), want) {
		t.Errorf("got %s, want it to end %s", b, want)
	}
	if b, _ := json.Marshal(testRecord); strings.Contains(string(b), `"deleted"`) {
		t.Errorf("a record of another request: got %s, want no deleted field", b)
	}
}
