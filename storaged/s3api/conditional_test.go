package s3api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

func TestConditionsFollowS3Precedence(t *testing.T) {
	t.Parallel()
	mod := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	before, after := mod.Add(-time.Hour), mod.Add(time.Hour)
	tests := []struct {
		name string
		c    conditions
		want outcome
	}{
		{"no condition proceeds", conditions{}, proceed},
		{"a matching If-Match proceeds", conditions{ifMatch: `"e1"`}, proceed},
		{"a list with the ETag matches", conditions{ifMatch: `"x", "e1"`}, proceed},
		{"If-Match star matches any object", conditions{ifMatch: "*"}, proceed},
		{"a wrong If-Match fails", conditions{ifMatch: `"e2"`}, failed},
		{"a true If-Match overrides a false If-Unmodified-Since",
			conditions{ifMatch: `"e1"`, ifUnmodifiedSince: before}, proceed},
		{"a false If-Unmodified-Since fails", conditions{ifUnmodifiedSince: before}, failed},
		{"a true If-Unmodified-Since proceeds", conditions{ifUnmodifiedSince: after}, proceed},
		{"If-Unmodified-Since at the modification second proceeds",
			conditions{ifUnmodifiedSince: mod}, proceed},
		{"a matching If-None-Match is not modified", conditions{ifNoneMatch: `"e1"`}, notModified},
		{"a different If-None-Match proceeds", conditions{ifNoneMatch: `"e2"`}, proceed},
		{"a false If-None-Match wins over a true If-Modified-Since",
			conditions{ifNoneMatch: `"e1"`, ifModifiedSince: before}, notModified},
		{"a true If-None-Match wins over a false If-Modified-Since",
			conditions{ifNoneMatch: `"e2"`, ifModifiedSince: after}, proceed},
		{"an old If-Modified-Since proceeds", conditions{ifModifiedSince: before}, proceed},
		{"a later If-Modified-Since is not modified", conditions{ifModifiedSince: after},
			notModified},
		{"If-Match failing wins over If-None-Match", conditions{ifMatch: `"e2"`,
			ifNoneMatch: `"e1"`}, failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.c.evaluate("e1", mod.Add(300*time.Millisecond)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConditionalReadsAnswer304And412(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "cond")
	info, err := layer.PutObject(t.Context(), "cond", "k", strings.NewReader("abc"), 3,
		object.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	etag := `"` + info.ETag + `"`
	past := info.ModTime.Add(-time.Hour).Format(http.TimeFormat)
	future := info.ModTime.Add(time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name   string
		header http.Header
		status int
	}{
		{"If-Match with the ETag reads", http.Header{"If-Match": {etag}}, 200},
		{"If-Match with another ETag is 412", http.Header{"If-Match": {`"x"`}}, 412},
		{"If-None-Match with the ETag is 304", http.Header{"If-None-Match": {etag}}, 304},
		{
			"If-Modified-Since before the change reads",
			http.Header{"If-Modified-Since": {past}},
			200,
		},
		{"If-Modified-Since after the change is 304", http.Header{"If-Modified-Since": {future}},
			304},
		{"If-Unmodified-Since before the change is 412",
			http.Header{"If-Unmodified-Since": {past}}, 412},
		{"If-Unmodified-Since after the change reads",
			http.Header{"If-Unmodified-Since": {future}}, 200},
		{"a matching If-Match ignores a failing If-Unmodified-Since",
			http.Header{"If-Match": {etag}, "If-Unmodified-Since": {past}}, 200},
		{"a matching If-None-Match wins over a passing If-Modified-Since",
			http.Header{"If-None-Match": {etag}, "If-Modified-Since": {past}}, 304},
		{"a ranged read is 304 too", http.Header{"If-None-Match": {etag}, "Range": {"bytes=0-0"}},
			304},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(method+": "+tt.name, func(t *testing.T) {
				t.Parallel()
				w := do(h, signedRequest(t, method, "/cond/k", nil, signOptions{header: tt.header}))
				if w.Code != tt.status {
					t.Fatalf("got %d, want %d; body %s", w.Code, tt.status, w.Body.String())
				}
				if tt.status == 304 && (w.Header().Get("ETag") != etag || w.Body.Len() != 0) {
					t.Errorf("304 with ETag %q and %d body bytes, want %s and none",
						w.Header().Get("ETag"), w.Body.Len(), etag)
				}
				if tt.status == 412 && method == http.MethodGet {
					mustStatus(t, w, 412, "PreconditionFailed")
				}
			})
		}
	}
}

func TestConditionalWrites(t *testing.T) {
	t.Parallel()
	first := []byte("first")
	tests := []struct {
		name   string
		header http.Header
		status int
		code   string
	}{
		{"S9 If-None-Match star on an existing key is 412", http.Header{"If-None-Match": {"*"}},
			412, "PreconditionFailed"},
		{"If-Match with the current ETag writes",
			http.Header{"If-Match": {`"` + md5Hex(first) + `"`}}, 200, ""},
		{"If-Match with another ETag is 412", http.Header{"If-Match": {`"0123"`}}, 412,
			"PreconditionFailed"},
		{"If-None-Match with an ETag is not implemented", http.Header{"If-None-Match": {`"x"`}},
			501, "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "cwr")
			mustStatus(
				t,
				do(h, signedRequest(t, http.MethodPut, "/cwr/k", first, signOptions{})),
				200,
				"",
			)
			w := do(h, signedRequest(t, http.MethodPut, "/cwr/k", []byte("second"),
				signOptions{header: tt.header}))
			mustStatus(t, w, tt.status, tt.code)
			_, rc, err := layer.GetObject(t.Context(), "cwr", "k", nil)
			if err != nil {
				t.Fatal(err)
			}
			want := first
			if tt.status == 200 {
				want = []byte("second")
			}
			if got := readAll(t, rc); !bytes.Equal(got, want) {
				t.Errorf("got %q stored, want %q", got, want)
			}
		})
	}
}

func TestConcurrentCreateOnlyWritesStoreOneObject(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "race")
	var created, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			w := do(h, signedRequest(t, http.MethodPut, "/race/once", []byte(fmt.Sprint(i)),
				signOptions{header: http.Header{"If-None-Match": {"*"}}}))
			switch w.Code {
			case 200:
				created.Add(1)
			case 412:
				refused.Add(1)
			default:
				t.Errorf("got %d, want 200 or 412", w.Code)
			}
		})
	}
	wg.Wait()
	if created.Load() != 1 || refused.Load() != 15 {
		t.Errorf("got %d created and %d refused, want 1 and 15", created.Load(), refused.Load())
	}
	if _, err := layer.HeadObject(t.Context(), "race", "once"); err != nil {
		t.Errorf("the object is missing: %v", err)
	}
}
