package s3api

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

// newErasureHandler returns a handler over a real erasure layer on four
// fresh drives (parity 2) holding the bucket "vers".
func newErasureHandler(t *testing.T) *Handler {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, 4)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatal(err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 2})
	if err != nil {
		t.Fatal(err)
	}
	layer := object.NewErasureLayer(set)
	t.Cleanup(func() { _ = layer.Close() })
	if err := layer.MakeBucket(t.Context(), "vers"); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func versioningBody(status, mfa string) []byte {
	b, _ := xml.Marshal(versioningConfiguration{Status: status, MfaDelete: mfa})
	return b
}

func TestParseVersioningConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body []byte
		want string
		code string
	}{
		{"Enabled is accepted", versioningBody("Enabled", ""), "Enabled", ""},
		{"Suspended with MFA delete disabled is accepted", versioningBody("Suspended", "Disabled"),
			"Suspended", ""},
		{"an unknown status is malformed", versioningBody("Disabled", ""), "", "MalformedXML"},
		{"no status is malformed", versioningBody("", ""), "", "MalformedXML"},
		{"MFA delete is not implemented", versioningBody("Enabled", "Enabled"), "",
			"NotImplemented"},
		{"garbage is malformed", []byte("<Versioning"), "", "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseVersioningConfiguration(tt.body)
			if got != tt.want || err != nil && toAPIError(err).code != tt.code ||
				err == nil && tt.code != "" {
				t.Errorf("got %q, %v; want %q, %q", got, err, tt.want, tt.code)
			}
		})
	}
}

// put stores body under target and returns the answer's version ID.
func putVersion(t *testing.T, h *Handler, target, body string) string {
	t.Helper()
	w := do(h, signedRequest(t, http.MethodPut, target, []byte(body), signOptions{}))
	mustStatus(t, w, http.StatusOK, "")
	return w.Header().Get("X-Amz-Version-Id")
}

func TestVersionedObjectsThroughTheHandler(t *testing.T) {
	t.Parallel()
	h := newErasureHandler(t)
	w := do(h, signedRequest(t, http.MethodGet, "/vers?versioning", nil, signOptions{}))
	if mustStatus(t, w, 200, ""); strings.Contains(w.Body.String(), "<Status>") {
		t.Errorf("a new bucket: got %s, want no status", w.Body.String())
	}
	if v := putVersion(t, h, "/vers/k", "null"); v != "" {
		t.Errorf("before versioning: got version header %q, want none", v)
	}
	w = do(h, signedRequest(t, http.MethodPut, "/vers?versioning", versioningBody("Enabled", ""),
		signOptions{}))
	mustStatus(t, w, 200, "")
	v1, v2 := putVersion(t, h, "/vers/k", "one"), putVersion(t, h, "/vers/k", "two")
	if v1 == "" || v1 == v2 {
		t.Fatalf("got versions %q and %q, want two", v1, v2)
	}
	w = do(h, signedRequest(t, http.MethodGet, "/vers/k?versionId="+v1, nil, signOptions{}))
	mustStatus(t, w, 200, "")
	if w.Body.String() != "one" || w.Header().Get("X-Amz-Version-Id") != v1 {
		t.Errorf("GET version 1: got %q, %q", w.Body.String(), w.Header().Get("X-Amz-Version-Id"))
	}

	w = do(h, signedRequest(t, http.MethodDelete, "/vers/k", nil, signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	marker := w.Header().Get("X-Amz-Version-Id")
	if w.Header().Get("X-Amz-Delete-Marker") != "true" || marker == "" {
		t.Fatalf("DELETE: got headers %v, want a delete marker", w.Header())
	}
	checkDeleteMarkerReads(t, h, marker)
	checkVersionListing(t, h, marker, v2, v1)

	w = do(h, signedRequest(t, http.MethodDelete, "/vers/k?versionId="+marker, nil, signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	w = do(h, signedRequest(t, http.MethodGet, "/vers/k", nil, signOptions{}))
	if mustStatus(t, w, 200, ""); w.Body.String() != "two" {
		t.Errorf("after removing the marker: got %q, want version 2", w.Body.String())
	}
}

// checkDeleteMarkerReads checks GET and HEAD of a key whose current version
// is a delete marker.
func checkDeleteMarkerReads(t *testing.T, h *Handler, marker string) {
	t.Helper()
	tests := []struct {
		method, target string
		status         int
		code           string
	}{
		{http.MethodGet, "/vers/k", 404, "NoSuchKey"},
		{http.MethodHead, "/vers/k", 404, ""},
		{http.MethodGet, "/vers/k?versionId=" + marker, 405, "MethodNotAllowed"},
		{http.MethodHead, "/vers/k?versionId=" + marker, 405, ""},
		{http.MethodGet, "/vers/k?versionId=" + strings.Repeat("A", 26), 404, "NoSuchVersion"},
		{http.MethodGet, "/vers/k?versionId=bad", 400, "InvalidArgument"},
	}
	for _, tt := range tests {
		w := do(h, signedRequest(t, tt.method, tt.target, nil, signOptions{}))
		if w.Code != tt.status || errorCode(t, w) != tt.code {
			t.Errorf("%s %s: got %d %q, want %d %q", tt.method, tt.target, w.Code,
				errorCode(t, w), tt.status, tt.code)
		}
		if tt.status != 400 && tt.code != "NoSuchVersion" &&
			(w.Header().Get("X-Amz-Delete-Marker") != "true" ||
				w.Header().Get("X-Amz-Version-Id") != marker) {
			t.Errorf("%s %s: got headers %v, want the delete marker's", tt.method, tt.target,
				w.Header())
		}
	}
}

// checkVersionListing checks ListObjectVersions and that ListObjectsV2
// hides the deleted key.
func checkVersionListing(t *testing.T, h *Handler, marker, v2, v1 string) {
	t.Helper()
	w := do(h, signedRequest(t, http.MethodGet, "/vers?versions", nil, signOptions{}))
	mustStatus(t, w, 200, "")
	var res struct {
		Entries []struct {
			XMLName   xml.Name
			VersionID string `xml:"VersionId"`
			IsLatest  bool   `xml:"IsLatest"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Entries {
		if e.XMLName.Local == "Version" || e.XMLName.Local == "DeleteMarker" {
			got = append(got, fmt.Sprintf("%s:%s:%v", e.XMLName.Local, e.VersionID, e.IsLatest))
		}
	}
	want := []string{"DeleteMarker:" + marker + ":true", "Version:" + v2 + ":false",
		"Version:" + v1 + ":false", "Version:null:false"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got versions %v, want %v", got, want)
	}
	w = do(h, signedRequest(t, http.MethodGet, "/vers?list-type=2", nil, signOptions{}))
	var l listBucketResultV2
	if err := xml.Unmarshal(w.Body.Bytes(), &l); err != nil || len(l.Contents) != 0 {
		t.Errorf(
			"ListObjectsV2: got %d keys, %v, want the deleted key hidden",
			len(l.Contents),
			err,
		)
	}
}
