package s3api

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// classHeader is a header that names a storage class.
func classHeader(class string) http.Header {
	return http.Header{"X-Amz-Storage-Class": {class}}
}

func TestPutRecordsTheStorageClassAndGetReturnsIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, class string
		status      int
		code        string
		wantHeader  string
	}{
		{"REDUCED_REDUNDANCY is stored and returned", "REDUCED_REDUNDANCY", 200, "",
			"REDUCED_REDUNDANCY"},
		{"STANDARD is stored and, as in S3, not named", "STANDARD", 200, "", ""},
		{"no class is STANDARD", "", 200, "", ""},
		{"STANDARD_IA needs tiering, not built", "STANDARD_IA", 501, "NotImplemented", ""},
		{"GLACIER needs tiering, not built", "GLACIER", 501, "NotImplemented", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := withBucket(t, "scls")
			w := do(h, signedRequest(t, http.MethodPut, "/scls/k", []byte("abc"),
				signOptions{header: classHeader(tt.class)}))
			mustStatus(t, w, tt.status, tt.code)
			if tt.status != 200 {
				return
			}
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				w := do(h, signedRequest(t, method, "/scls/k", nil, signOptions{}))
				if got := w.Header().Get("X-Amz-Storage-Class"); w.Code != 200 ||
					got != tt.wantHeader {
					t.Errorf("%s: got %d, x-amz-storage-class %q; want 200, %q", method,
						w.Code, got, tt.wantHeader)
				}
			}
		})
	}
}

func TestListingsNameEachObjectsStorageClass(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "lsbk")
	for key, class := range map[string]string{"rrs": "REDUCED_REDUNDANCY", "std": ""} {
		w := do(h, signedRequest(t, http.MethodPut, "/lsbk/"+key, []byte("abc"),
			signOptions{header: classHeader(class)}))
		mustStatus(t, w, 200, "")
	}
	want := []string{"<Key>rrs</Key>", "<StorageClass>REDUCED_REDUNDANCY</StorageClass>",
		"<Key>std</Key>", "<StorageClass>STANDARD</StorageClass>"}
	for _, target := range []string{"/lsbk", "/lsbk?list-type=2"} {
		w := do(h, signedRequest(t, http.MethodGet, target, nil, signOptions{}))
		mustStatus(t, w, 200, "")
		checkInOrder(t, target, w.Body.String(), want)
	}
	w := do(h, signedRequest(t, http.MethodGet, "/lsbk/rrs?attributes", nil, signOptions{
		header: http.Header{"X-Amz-Object-Attributes": {"StorageClass"}}}))
	mustStatus(t, w, 200, "")
	checkInOrder(t, "GetObjectAttributes", w.Body.String(),
		[]string{"<StorageClass>REDUCED_REDUNDANCY</StorageClass>"})
}

func TestMultipartUploadsNameTheirStorageClass(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "mpbk")
	w := do(h, signedRequest(t, http.MethodPost, "/mpbk/k?uploads", nil,
		signOptions{header: classHeader("REDUCED_REDUNDANCY")}))
	mustStatus(t, w, 200, "")
	res, err := layer.ListMultipartUploads(t.Context(), "mpbk",
		object.ListUploadsOptions{})
	if err != nil || len(res.Uploads) != 1 {
		t.Fatalf("uploads: %+v, err %v; want one", res.Uploads, err)
	}
	id := res.Uploads[0].UploadID
	for _, target := range []string{"/mpbk?uploads", "/mpbk/k?uploadId=" + id} {
		w := do(h, signedRequest(t, http.MethodGet, target, nil, signOptions{}))
		mustStatus(t, w, 200, "")
		checkInOrder(t, target, w.Body.String(),
			[]string{"<StorageClass>REDUCED_REDUNDANCY</StorageClass>"})
	}
	w = do(h, signedRequest(t, http.MethodPost, "/mpbk/k2?uploads", nil,
		signOptions{header: classHeader("DEEP_ARCHIVE")}))
	mustStatus(t, w, 501, "NotImplemented")
}

func TestCopyTakesTheRequestsStorageClass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target string
		header       http.Header
		wantClass    string
	}{
		{"a copy without a class is STANDARD whatever its source's", "/cpbk/dst",
			http.Header{}, ""},
		{"a copy names its class", "/cpbk/dst", classHeader("REDUCED_REDUNDANCY"),
			"REDUCED_REDUNDANCY"},
		{"a copy onto itself may change only the class", "/cpbk/src",
			classHeader("STANDARD"), ""},
		{"a copy that replaces metadata keeps the class asked for", "/cpbk/dst",
			http.Header{"X-Amz-Metadata-Directive": {"REPLACE"},
				"X-Amz-Storage-Class": {"REDUCED_REDUNDANCY"}}, "REDUCED_REDUNDANCY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := withBucket(t, "cpbk")
			w := do(h, signedRequest(t, http.MethodPut, "/cpbk/src", []byte("abc"),
				signOptions{header: classHeader("REDUCED_REDUNDANCY")}))
			mustStatus(t, w, 200, "")
			tt.header.Set("X-Amz-Copy-Source", "/cpbk/src")
			w = do(h, signedRequest(t, http.MethodPut, tt.target, nil,
				signOptions{header: tt.header}))
			mustStatus(t, w, 200, "")
			w = do(h, signedRequest(t, http.MethodHead, tt.target, nil, signOptions{}))
			if got := w.Header().Get("X-Amz-Storage-Class"); got != tt.wantClass {
				t.Errorf("copy's class: got %q, want %q", got, tt.wantClass)
			}
		})
	}
}

// checkInOrder fails unless body holds each of want, in that order.
func checkInOrder(t *testing.T, what, body string, want []string) {
	t.Helper()
	rest := body
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s: got %s, want %s after the earlier parts", what, truncate(body), w)
			return
		}
		rest = rest[i+len(w):]
	}
}

func TestPostUploadFormNamesTheStorageClass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, class, want, code string
	}{
		{"REDUCED_REDUNDANCY is kept", "REDUCED_REDUNDANCY", "REDUCED_REDUNDANCY", ""},
		{"STANDARD is kept as no class", "STANDARD", "", ""},
		{"GLACIER is not implemented", "GLACIER", "", "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts, err := postPutOptions(map[string]string{"x-amz-storage-class": tt.class})
			var e *apiError
			switch {
			case tt.code != "" && (!errors.As(err, &e) || e.code != tt.code):
				t.Errorf("got error %v, want %s", err, tt.code)
			case tt.code == "" && (err != nil || opts.StorageClass != tt.want):
				t.Errorf("got class %q, err %v; want %q", opts.StorageClass, err, tt.want)
			}
		})
	}
}
