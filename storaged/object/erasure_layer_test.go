package object

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/erasure"
)

func TestBucketOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		op   func(l *testLayer) error
		want error
	}{
		{"creating an existing bucket fails", func(l *testLayer) error {
			return l.MakeBucket(ctx, "bkt")
		}, ErrBucketExists},
		{"creating the reserved bucket strata fails", func(l *testLayer) error {
			return l.MakeBucket(ctx, "strata")
		}, ErrInvalidBucketName},
		{"creating a bucket with an invalid name fails", func(l *testLayer) error {
			return l.MakeBucket(ctx, "Bad_Name")
		}, ErrInvalidBucketName},
		{"heading a missing bucket fails", func(l *testLayer) error {
			_, err := l.HeadBucket(ctx, "missing")
			return err
		}, ErrBucketNotFound},
		{"deleting a missing bucket fails", func(l *testLayer) error {
			return l.DeleteBucket(ctx, "missing")
		}, ErrBucketNotFound},
		{"deleting a bucket with an object fails", func(l *testLayer) error {
			l.put(t, "k", "v")
			return l.DeleteBucket(ctx, "bkt")
		}, ErrBucketNotEmpty},
		{"listing a missing bucket fails", func(l *testLayer) error {
			_, err := l.ListObjects(ctx, "missing", ListOptions{})
			return err
		}, ErrBucketNotFound},
		{"putting into a missing bucket fails", func(l *testLayer) error {
			_, err := l.PutObject(ctx, "missing", "k", strings.NewReader("v"), 1, PutOptions{})
			return err
		}, ErrBucketNotFound},
		{"getting from a missing bucket fails", func(l *testLayer) error {
			_, _, err := l.GetObject(ctx, "missing", "k", nil)
			return err
		}, ErrBucketNotFound},
		{"deleting from a missing bucket fails", func(l *testLayer) error {
			return l.DeleteObject(ctx, "missing", "k")
		}, ErrBucketNotFound},
		{"getting a missing key fails", func(l *testLayer) error {
			_, err := l.HeadObject(ctx, "bkt", "missing")
			return err
		}, ErrObjectNotFound},
		{"deleting a missing key succeeds", func(l *testLayer) error {
			return l.DeleteObject(ctx, "bkt", "missing")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.op(newLayerWithBucket(t))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestBucketsAreListedAndDeletedWhenEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	if err := l.MakeBucket(ctx, "another.bucket"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	list, err := l.ListBuckets(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "another.bucket" || list[1].Name != "bkt" {
		t.Fatalf("got %+v, %v, want another.bucket and bkt", list, err)
	}
	if info, err := l.HeadBucket(ctx, "bkt"); err != nil || info.Created.IsZero() {
		t.Errorf("got %+v, %v, want bkt with a creation time", info, err)
	}

	l.put(t, "k", "v")
	if err := l.DeleteObject(ctx, "bkt", "k"); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if err := l.DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatalf("DeleteBucket of an emptied bucket: %v", err)
	}
	if _, err := l.HeadBucket(ctx, "bkt"); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("got error %v, want ErrBucketNotFound", err)
	}
}

func TestKeysOfAnyShapeRoundTrip(t *testing.T) {
	t.Parallel()
	keys := []string{
		"plain",
		"a//b",
		"/leading",
		"trailing/",
		"with+plus",
		"with%25percent",
		"with spaces in it",
		strings.Repeat("s", 300),
		"dir/" + strings.Repeat("x", 300) + "/file",
		strings.Repeat("é", 512),
		"..",
		".strata.sys",
		"ünïcödé/日本語",
	}
	l := newLayerWithBucket(t)
	for _, key := range keys {
		t.Run("key "+key[:min(len(key), 20)]+" round-trips", func(t *testing.T) {
			l.put(t, key, "content of "+key)
			info, got, err := l.get(key, nil)
			if err != nil || got != "content of "+key || info.Key != key {
				t.Errorf("got %q (key %q), %v, want the stored content", got, info.Key, err)
			}
		})
	}
	r, err := l.ListObjects(context.Background(), "bkt", ListOptions{})
	if err != nil {
		t.Fatalf("ListObjects: %v", err)
	}
	var listed []string
	for _, o := range r.Objects {
		listed = append(listed, o.Key)
	}
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(listed, want) {
		t.Errorf("got %q, want %q", listed, want)
	}
}

func TestPutObjectRecordsETagAndMetadata(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	body := bytes.Repeat([]byte("strata"), 300000) // more than one block
	sum := md5.Sum(body)
	opts := PutOptions{
		Metadata: Metadata{
			ContentType:        "application/octet-stream",
			ContentEncoding:    "gzip",
			ContentDisposition: `attachment; filename="k.bin"`,
			ContentLanguage:    "en-GB",
			CacheControl:       "max-age=60",
			Expires:            "Thu, 01 Dec 2033 16:00:00 GMT",
			UserMetadata:       map[string]string{"color": "blue", "owner": "ops"},
		},
		Tags: map[string]string{"team": "storage", "empty": ""},
		Checksums: func() map[string]string {
			return map[string]string{"CRC32": "AAAAAA=="}
		},
	}
	put, err := l.PutObject(context.Background(), "bkt", "k", bytes.NewReader(body),
		int64(len(body)), opts)
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if put.ETag != hex.EncodeToString(sum[:]) || put.Size != int64(len(body)) {
		t.Errorf("got ETag %s size %d, want %x and %d", put.ETag, put.Size, sum, len(body))
	}

	head, err := l.HeadObject(context.Background(), "bkt", "k")
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if head.ETag != put.ETag || !reflect.DeepEqual(head.Metadata, opts.Metadata) ||
		!maps.Equal(head.Tags, opts.Tags) || head.ChecksumType != ChecksumFullObject ||
		!maps.Equal(head.Checksums, opts.Checksums()) || !head.ModTime.Equal(put.ModTime) {
		t.Errorf("got %+v, want what PutObject recorded: %+v", head, put)
	}
}

func TestPutObjectWithUnknownSize(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	info, err := l.PutObject(context.Background(), "bkt", "k", strings.NewReader("hello"), -1,
		PutOptions{})
	if err != nil || info.Size != 5 {
		t.Fatalf("got %+v, %v, want a 5-byte object", info, err)
	}
}

func TestFailedPutsCommitNothing(t *testing.T) {
	t.Parallel()
	errBroken := errors.New("connection reset")
	tests := []struct {
		name    string
		body    io.Reader
		size    int64
		wantErr error
	}{
		{"a body shorter than its size is incomplete", strings.NewReader("hel"), 5, ErrIncompleteBody},
		{"an empty body with a size is incomplete", strings.NewReader(""), 3, ErrIncompleteBody},
		{"a body that fails is not committed",
			io.MultiReader(strings.NewReader("partial"), &errReader{errBroken}), 100, errBroken},
		{"a body of unknown size that fails is not committed",
			io.MultiReader(strings.NewReader("partial"), &errReader{errBroken}), -1, errBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLayerWithBucket(t)
			_, err := l.PutObject(context.Background(), "bkt", "k", tt.body, tt.size, PutOptions{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if _, err := l.HeadObject(context.Background(), "bkt", "k"); !errors.Is(err, ErrObjectNotFound) {
				t.Errorf("got error %v, want ErrObjectNotFound", err)
			}
		})
	}
}

// errReader always fails.
type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

func TestAFailedOverwriteKeepsThePreviousObject(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	l.put(t, "k", "original")
	_, err := l.PutObject(context.Background(), "bkt", "k", strings.NewReader("new"), 10, PutOptions{})
	if !errors.Is(err, ErrIncompleteBody) {
		t.Fatalf("got error %v, want ErrIncompleteBody", err)
	}
	if _, got, err := l.get("k", nil); err != nil || got != "original" {
		t.Errorf("got %q, %v, want the original", got, err)
	}
}

func TestRangedGets(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	content := "0123456789"
	l.put(t, "k", content)
	l.put(t, "empty", "")
	tests := []struct {
		name    string
		key     string
		rng     Range
		want    string
		wantErr error
	}{
		{"a middle range returns its bytes", "k", Range{Start: 2, Length: 3}, "234", nil},
		{"a range past the end is cut at the end", "k", Range{Start: 8, Length: 10}, "89", nil},
		{"the last byte alone", "k", Range{Start: 9, Length: 1}, "9", nil},
		{"a range starting at the end is invalid", "k", Range{Start: 10, Length: 1}, "", ErrInvalidRange},
		{"a negative start is invalid", "k", Range{Start: -1, Length: 1}, "", ErrInvalidRange},
		{"any range of an empty object is invalid",
			"empty", Range{Start: 0, Length: 1}, "", ErrInvalidRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info, got, err := l.get(tt.key, &tt.rng)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("got error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || info.Size != int64(len(content)) {
				t.Errorf("got %q (size %d), %v, want %q of a %d-byte object",
					got, info.Size, err, tt.want, len(content))
			}
		})
	}
}

func TestQuorumErrorsReachTheLayer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	l.put(t, "k", "survivor")
	for _, dir := range l.dirs[:2] {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	if _, got, err := l.get("k", nil); err != nil || got != "survivor" {
		t.Errorf("with two of four drives gone: got %q, %v, want the object", got, err)
	}
	_, err := l.PutObject(ctx, "bkt", "new", strings.NewReader("x"), 1, PutOptions{})
	if !errors.Is(err, ErrWriteQuorum) || !errors.Is(err, erasure.ErrWriteQuorum) {
		t.Errorf("with two of four drives gone: got error %v, want ErrWriteQuorum", err)
	}

	if err := os.RemoveAll(l.dirs[2]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.get("k", nil); !errors.Is(err, ErrReadQuorum) {
		t.Errorf("with three of four drives gone: got error %v, want ErrReadQuorum", err)
	}
	if _, err := l.ListObjects(ctx, "bkt", ListOptions{}); !errors.Is(err, ErrReadQuorum) {
		t.Errorf("with three of four drives gone: got error %v listing, want ErrReadQuorum", err)
	}
}
