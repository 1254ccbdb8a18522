package s3api

import (
	"net/http"
	"strings"
	"testing"
)

func TestBucketPolicyLifecycle(t *testing.T) {
	t.Parallel()
	h, _ := newAuthzHandler(t, "")
	get := func() *http.Request {
		return signedRequest(t, "GET", "/bkt?policy", nil, signOptions{})
	}

	mustStatus(t, do(h, get()), http.StatusNotFound, "NoSuchBucketPolicy")
	setPolicy(t, h, "bkt", publicRead)
	w := do(h, get())
	mustStatus(t, w, http.StatusOK, "")
	if got := w.Body.String(); got != publicRead {
		t.Fatalf("got policy %s, want the document as stored", got)
	}
	if got := w.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("got Content-Type %q, want application/json", got)
	}
	w = do(h, signedRequest(t, "GET", "/bkt?policyStatus", nil, signOptions{}))
	mustStatus(t, w, http.StatusOK, "")
	if !strings.Contains(w.Body.String(), "<IsPublic>true</IsPublic>") {
		t.Errorf("got %s, want IsPublic true", w.Body.String())
	}
	for i := 0; i < 2; i++ {
		w = do(h, signedRequest(t, "DELETE", "/bkt?policy", nil, signOptions{}))
		mustStatus(t, w, http.StatusNoContent, "")
	}
	mustStatus(t, do(h, get()), http.StatusNotFound, "NoSuchBucketPolicy")
}

func TestPutBucketPolicyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, bucket, doc string
		status            int
		code, message     string
	}{
		{"a document that is not JSON", "bkt", `{`, 400, "MalformedPolicy", "not valid JSON"},
		{"an unknown action", "bkt", strings.Replace(publicRead, "s3:GetObject", "s3:Fly", 1),
			400, "MalformedPolicy", "Action[0]: unknown action"},
		{"a statement without a principal", "bkt", `{"Version":"2012-10-17","Statement":` +
			`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}}`,
			400, "MalformedPolicy", "missing required element Principal"},
		{"a resource in another bucket", "bkt", strings.Replace(publicRead, "bkt/*", "bkt2/*", 1),
			400, "MalformedPolicy", "Policy has invalid resource"},
		{"a document over 20 KiB", "bkt", publicRead + strings.Repeat(" ", 20<<10), 400,
			"PolicyTooLarge", ""},
		{"a missing bucket", "nosuch", strings.ReplaceAll(publicRead, "bkt", "nosuch"), 404,
			"NoSuchBucket", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newAuthzHandler(t, "")
			w := do(h, signedRequest(t, "PUT", "/"+tt.bucket+"?policy", []byte(tt.doc),
				signOptions{}))
			mustStatus(t, w, tt.status, tt.code)
			if !strings.Contains(w.Body.String(), tt.message) {
				t.Errorf("got body %s, want it to say %q", truncate(w.Body.String()), tt.message)
			}
		})
	}
}

func TestPolicyStatusIsPublicOnlyForUnconditionalGrantsToEveryone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		want      bool
	}{
		{"an allow to everyone is public", publicRead, true},
		{"an allow to one key is not public", denyOther, false},
		{"an allow with a condition is not public", `{"Version":"2012-10-17","Statement":` +
			`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":` +
			`"arn:aws:s3:::bkt/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`,
			false},
		{"a deny to everyone is not public", `{"Version":"2012-10-17","Statement":` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}`,
			false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := parseBucketPolicy([]byte(tt.doc), "bkt")
			if err != nil {
				t.Fatal(err)
			}
			if got := isPublic(p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzParseBucketPolicy feeds arbitrary documents to the PutBucketPolicy
// parser: it must never panic and must refuse with an S3 error.
func FuzzParseBucketPolicy(f *testing.F) {
	f.Add([]byte(publicRead))
	f.Fuzz(func(t *testing.T, doc []byte) {
		_, err := parseBucketPolicy(doc, "bkt")
		mustBeS3Error(t, err)
	})
}
