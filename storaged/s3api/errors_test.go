package s3api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

func TestLayerErrorsMapToS3Codes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{object.ErrBucketNotFound, 404, "NoSuchBucket"},
		{object.ErrBucketExists, 409, "BucketAlreadyOwnedByYou"},
		{object.ErrBucketNotEmpty, 409, "BucketNotEmpty"},
		{object.ErrInvalidBucketName, 400, "InvalidBucketName"},
		{object.ErrObjectNotFound, 404, "NoSuchKey"},
		{object.ErrKeyTooLong, 400, "KeyTooLongError"},
		{object.ErrInvalidObjectName, 400, "InvalidArgument"},
		{object.ErrInvalidRange, 416, "InvalidRange"},
		{object.ErrReadQuorum, 503, "ServiceUnavailable"},
		{object.ErrWriteQuorum, 503, "ServiceUnavailable"},
		{object.ErrIncompleteBody, 400, "IncompleteBody"},
		{io.ErrUnexpectedEOF, 400, "IncompleteBody"},
		{errors.New("disk on fire"), 500, "InternalError"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v wrapped is %s", tt.err, tt.code), func(t *testing.T) {
			t.Parallel()
			e := toAPIError(fmt.Errorf("layer: doing something: %w", tt.err))
			if e.status != tt.status || e.code != tt.code {
				t.Errorf("got %d %s, want %d %s", e.status, e.code, tt.status, tt.code)
			}
		})
	}
}

// failingLayer answers every object read with err.
type failingLayer struct {
	*fakeLayer
	err error
}

func (f failingLayer) HeadObject(context.Context, string, string) (object.ObjectInfo, error) {
	return object.ObjectInfo{}, fmt.Errorf("fake: %w", f.err)
}

func (f failingLayer) GetObject(context.Context, string, string,
	*object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	return object.ObjectInfo{}, nil, fmt.Errorf("fake: %w", f.err)
}

func TestQuorumLossIsServiceUnavailable(t *testing.T) {
	t.Parallel()
	layer := failingLayer{newFakeLayer(), object.ErrReadQuorum}
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		w := do(h, signedRequest(t, method, "/any/key", nil, signOptions{}))
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: got %d, want 503", method, w.Code)
		}
		if method == http.MethodGet && errorCode(t, w) != "ServiceUnavailable" {
			t.Errorf("GET: got code %q, want ServiceUnavailable", errorCode(t, w))
		}
	}
}
