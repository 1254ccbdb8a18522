package s3api

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// taggingBody renders a Tagging document of key=value pairs.
func taggingBody(pairs ...string) []byte {
	var t tagging
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		t.TagSet.Tags = append(t.TagSet.Tags, tag{Key: k, Value: v})
	}
	b, _ := xml.Marshal(t)
	return b
}

func TestParseTaggingAppliesS3Limits(t *testing.T) {
	t.Parallel()
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("k%d=v", i)
		}
		return out
	}
	tests := []struct {
		name  string
		body  []byte
		limit int
		code  string
	}{
		{"ten object tags are accepted", taggingBody(many(10)...), maxObjectTags, ""},
		{"eleven object tags are refused", taggingBody(many(11)...), maxObjectTags, "InvalidTag"},
		{"fifty bucket tags are accepted", taggingBody(many(50)...), maxBucketTags, ""},
		{
			"fifty-one bucket tags are refused",
			taggingBody(many(51)...),
			maxBucketTags,
			"InvalidTag",
		},
		{
			"a key of 128 characters is accepted",
			taggingBody(strings.Repeat("é", 128) + "=v"),
			10,
			"",
		},
		{"a key of 129 characters is refused", taggingBody(strings.Repeat("k", 129) + "=v"), 10,
			"InvalidTag"},
		{
			"a value of 256 characters is accepted",
			taggingBody("k=" + strings.Repeat("v", 256)),
			10,
			"",
		},
		{"a value of 257 characters is refused", taggingBody("k=" + strings.Repeat("v", 257)), 10,
			"InvalidTag"},
		{"an empty value is accepted", taggingBody("k="), 10, ""},
		{"an empty key is refused", taggingBody("=v"), 10, "InvalidTag"},
		{"a repeated key is refused", taggingBody("k=1", "k=2"), 10, "InvalidTag"},
		{"the aws: prefix is refused", taggingBody("aws:cost=1"), 10, "InvalidTag"},
		{"a character S3 refuses is refused", taggingBody("k=a*b"), 10, "InvalidTag"},
		{"the allowed punctuation is accepted", taggingBody("a+b-c=d._:/@ e"), 10, ""},
		{"malformed XML is refused", []byte("<Tagging><TagSet>"), 10, "MalformedXML"},
		{"another root element is refused", []byte("<Tags></Tags>"), 10, "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseTagging(tt.body, tt.limit)
			if got := toAPIError(err).code; err != nil && got != tt.code ||
				err == nil && tt.code != "" {
				t.Errorf("got %v, want %q", err, tt.code)
			}
		})
	}
}

func TestObjectTagging(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "tags")
	hdr := http.Header{"X-Amz-Tagging": {url.Values{"team": {"storage"}, "env": {"a b"}}.Encode()}}
	mustStatus(t, do(h, signedRequest(t, http.MethodPut, "/tags/k", []byte("x"),
		signOptions{header: hdr})), 200, "")
	w := do(h, signedRequest(t, http.MethodHead, "/tags/k", nil, signOptions{}))
	if got := w.Header().Get("X-Amz-Tagging-Count"); got != "2" {
		t.Errorf("got x-amz-tagging-count %q, want 2", got)
	}

	w = do(h, signedRequest(t, http.MethodGet, "/tags/k?tagging", nil, signOptions{}))
	mustStatus(t, w, 200, "")
	if got := tagsOf(t, w.Body.Bytes()); !maps.Equal(got, map[string]string{"team": "storage",
		"env": "a b"}) {
		t.Errorf("got %v, want the tags of the PUT", got)
	}
	before, _ := layer.HeadObject(t.Context(), "tags", "k")
	w = do(
		h,
		signedRequest(t, http.MethodPut, "/tags/k?tagging", taggingBody("new=1"), signOptions{}),
	)
	mustStatus(t, w, 200, "")
	after, _ := layer.HeadObject(t.Context(), "tags", "k")
	if !maps.Equal(after.Tags, map[string]string{"new": "1"}) || after.ETag != before.ETag {
		t.Errorf("got tags %v and ETag %s, want new=1 on the same object", after.Tags, after.ETag)
	}
	w = do(h, signedRequest(t, http.MethodDelete, "/tags/k?tagging", nil, signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	w = do(h, signedRequest(t, http.MethodGet, "/tags/k?tagging", nil, signOptions{}))
	if got := tagsOf(t, w.Body.Bytes()); len(got) != 0 {
		t.Errorf("got %v after delete, want an empty tag set", got)
	}
	w = do(h, signedRequest(t, http.MethodGet, "/tags/missing?tagging", nil, signOptions{}))
	mustStatus(t, w, 404, "NoSuchKey")
	w = do(h, signedRequest(t, http.MethodPut, "/tags/k2", []byte("x"), signOptions{
		header: http.Header{"X-Amz-Tagging": {"aws:x=1"}}}))
	mustStatus(t, w, 400, "InvalidTag")
}

func tagsOf(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var doc tagging
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	out := map[string]string{}
	for _, tg := range doc.TagSet.Tags {
		out[tg.Key] = tg.Value
	}
	return out
}

func TestBucketTagging(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "btags")
	w := do(h, signedRequest(t, http.MethodGet, "/btags?tagging", nil, signOptions{}))
	mustStatus(t, w, 404, "NoSuchTagSet")
	w = do(h, signedRequest(t, http.MethodPut, "/btags?tagging", taggingBody("cost=7", "owner=me"),
		signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	w = do(h, signedRequest(t, http.MethodGet, "/btags?tagging", nil, signOptions{}))
	mustStatus(t, w, 200, "")
	want := map[string]string{"cost": "7", "owner": "me"}
	if got := tagsOf(t, w.Body.Bytes()); !maps.Equal(got, want) {
		t.Errorf("got %v, want cost and owner", got)
	}
	w = do(h, signedRequest(t, http.MethodDelete, "/btags?tagging", nil, signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	w = do(h, signedRequest(t, http.MethodGet, "/btags?tagging", nil, signOptions{}))
	mustStatus(t, w, 404, "NoSuchTagSet")
	w = do(
		h,
		signedRequest(t, http.MethodPut, "/nobucket?tagging", taggingBody("a=b"), signOptions{}),
	)
	mustStatus(t, w, 404, "NoSuchBucket")
}

// plainLayer is an object.Layer without the optional capabilities.
type plainLayer struct{ object.Layer }

func TestALayerWithoutCapabilitiesAnswersNotImplemented(t *testing.T) {
	t.Parallel()
	layer := newFakeLayer()
	if err := layer.MakeBucket(t.Context(), "plain"); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: plainLayer{layer},
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*http.Request{
		signedRequest(t, http.MethodPost, "/plain/k?uploads", nil, signOptions{}),
		signedRequest(t, http.MethodGet, "/plain?uploads", nil, signOptions{}),
		signedRequest(t, http.MethodPut, "/plain/k?tagging", taggingBody("a=b"), signOptions{}),
		signedRequest(t, http.MethodGet, "/plain?tagging", nil, signOptions{}),
	} {
		mustStatus(t, do(h, r), http.StatusNotImplemented, "NotImplemented")
	}
}
