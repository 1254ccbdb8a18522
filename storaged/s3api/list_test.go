package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// withKeys returns a handler whose bucket "list" holds keys.
func withKeys(t *testing.T, keys ...string) *Handler {
	t.Helper()
	h, layer := withBucket(t, "list")
	for _, k := range keys {
		if _, err := layer.PutObject(t.Context(), "list", k, strings.NewReader(k), int64(len(k)),
			object.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// listV2 runs one ListObjectsV2 call.
func listV2(t *testing.T, h *Handler, query string) listBucketResultV2 {
	t.Helper()
	w := do(h, signedRequest(t, http.MethodGet, "/list?list-type=2&"+query, nil, signOptions{}))
	mustStatus(t, w, 200, "")
	var res listBucketResultV2
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// pages follows continuation tokens and returns each page's entries.
func pages(t *testing.T, h *Handler, query string) ([]string, []bool) {
	t.Helper()
	var got []string
	var truncated []bool
	token := ""
	for i := 0; i < 20; i++ {
		q := query
		if token != "" {
			q += "&continuation-token=" + url.QueryEscape(token)
		}
		res := listV2(t, h, q)
		var page []string
		for _, c := range res.Contents {
			page = append(page, c.Key)
		}
		for _, p := range res.CommonPrefixes {
			page = append(page, p.Prefix)
		}
		got = append(got, strings.Join(page, " "))
		truncated = append(truncated, res.IsTruncated)
		if !res.IsTruncated {
			return got, truncated
		}
		token = res.NextContinuationToken
	}
	t.Fatal("the listing never ended")
	return nil, nil
}

func TestListObjectsV2Paging(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		keys  []string
		query string
		want  []string
	}{
		{"start-after then the token continue without skipping (S5)",
			[]string{"a1", "a2", "a3", "a4"}, "start-after=0&max-keys=2",
			[]string{"a1 a2", "a3 a4"}},
		{"paging under a partial prefix returns every key (S6)",
			[]string{"data/a/1", "data/a/2", "data/ab/3"}, "prefix=data/a&max-keys=1",
			[]string{"data/a/1", "data/a/2", "data/ab/3"}},
		{"a delimiter groups keys into common prefixes",
			[]string{"photos/1.jpg", "photos/2.jpg", "readme", "videos/a.mp4"}, "delimiter=/",
			[]string{"readme photos/ videos/"}},
		{"a delimiter with pages counts each prefix once",
			[]string{"photos/1.jpg", "photos/2.jpg", "readme", "videos/a.mp4"},
			"delimiter=/&max-keys=1", []string{"photos/", "readme", "videos/"}},
		{"start-after past every key is empty", []string{"a", "b"}, "start-after=z",
			[]string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := withKeys(t, tt.keys...)
			got, truncated := pages(t, h, tt.query)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got pages %q, want %q", got, tt.want)
			}
			for i, tr := range truncated {
				if want := i < len(truncated)-1; tr != want {
					t.Errorf("page %d: got IsTruncated %v, want %v", i, tr, want)
				}
			}
		})
	}
}

func TestListObjectsArguments(t *testing.T) {
	t.Parallel()
	h := withKeys(t, "a b", "c+d")
	res := listV2(t, h, "encoding-type=url")
	if len(res.Contents) != 2 || res.Contents[0].Key != "a%20b" || res.Contents[1].Key != "c%2Bd" {
		t.Errorf("encoding-type=url: got %+v, want a%%20b and c%%2Bd", res.Contents)
	}
	if res.KeyCount != 2 || res.MaxKeys != 1000 || res.Contents[0].ETag == "" {
		t.Errorf("got KeyCount %d MaxKeys %d ETag %q, want 2, 1000 and an ETag",
			res.KeyCount, res.MaxKeys, res.Contents[0].ETag)
	}
	for _, q := range []string{"max-keys=x", "max-keys=-1", "encoding-type=base64",
		"continuation-token=%21%21", "continuation-token="} {
		t.Run(q+" is an invalid argument", func(t *testing.T) {
			t.Parallel()
			w := do(h, signedRequest(t, http.MethodGet, "/list?list-type=2&"+q, nil, signOptions{}))
			mustStatus(t, w, 400, "InvalidArgument")
		})
	}
	t.Run("a missing bucket is NoSuchBucket", func(t *testing.T) {
		t.Parallel()
		w := do(h, signedRequest(t, http.MethodGet, "/nope?list-type=2", nil, signOptions{}))
		mustStatus(t, w, 404, "NoSuchBucket")
	})
	t.Run("version 1 listing pages with markers", func(t *testing.T) {
		t.Parallel()
		w := do(h, signedRequest(t, http.MethodGet, "/list?max-keys=1", nil, signOptions{}))
		var v1 listBucketResultV1
		if err := xml.Unmarshal(w.Body.Bytes(), &v1); err != nil {
			t.Fatal(err)
		}
		if len(v1.Contents) != 1 || !v1.IsTruncated || v1.NextMarker != "a b" {
			t.Errorf("got %+v, want one key, truncated, NextMarker %q", v1, "a b")
		}
	})
}

func TestDeleteObjects(t *testing.T) {
	t.Parallel()
	h := withKeys(t, "one", "two")
	body := []byte(`<Delete><Object><Key>one</Key></Object><Object><Key>missing</Key></Object>` +
		`<Object><Key>two</Key><VersionId>v9</VersionId></Object></Delete>`)
	w := do(h, signedRequest(t, http.MethodPost, "/list?delete", body, signOptions{}))
	mustStatus(t, w, 200, "")
	var res deleteResult
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Deleted) != 2 || len(res.Errors) != 1 || res.Errors[0].Code != "NotImplemented" {
		t.Errorf("got %+v, want one and missing deleted, the version delete refused", res)
	}
	left := listV2(t, h, "")
	if len(left.Contents) != 1 || left.Contents[0].Key != "two" {
		t.Errorf("got %+v left, want only two", left.Contents)
	}
}
