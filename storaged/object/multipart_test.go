package object

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// upload starts an upload of key in "bkt" or fails the test.
func (l *testLayer) upload(t *testing.T, key string, opts UploadOptions) UploadInfo {
	t.Helper()
	up, err := l.NewMultipartUpload(context.Background(), "bkt", key, opts)
	if err != nil {
		t.Fatalf("NewMultipartUpload: %v", err)
	}
	return up
}

// part uploads data as part n or fails the test.
func (l *testLayer) part(t *testing.T, up UploadInfo, n int, data []byte) PartInfo {
	t.Helper()
	p, err := l.PutObjectPart(context.Background(), "bkt", up.Key, up.UploadID, n,
		bytes.NewReader(data), int64(len(data)), PartOptions{
			Checksums: func() map[string]string {
				return map[string]string{"CRC32": fmt.Sprint(n)}
			},
		})
	if err != nil {
		t.Fatalf("PutObjectPart %d: %v", n, err)
	}
	return p
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func TestAMultipartUploadMakesOneObject(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	opts := UploadOptions{Metadata: Metadata{ContentType: "video/mp4",
		UserMetadata: map[string]string{"camera": "front"}}, Tags: map[string]string{"a": "b"},
		ChecksumAlgorithm: "CRC32", ChecksumType: ChecksumComposite}
	up := l.upload(t, "movie", opts)
	if got, err := l.MultipartUpload(ctx, "bkt", "movie", up.UploadID); err != nil ||
		got.ChecksumAlgorithm != "CRC32" || got.ContentType != "video/mp4" {
		t.Fatalf("got %+v, %v, want the upload with its options", got, err)
	}
	one, two := bytes.Repeat([]byte{1}, MinPartSize), []byte("the end")
	p1, p2 := l.part(t, up, 1, one), l.part(t, up, 2, two)
	if p1.ETag != md5Hex(one) || p2.Size != int64(len(two)) || p2.Checksums["CRC32"] != "2" {
		t.Errorf("got parts %+v %+v, want their MD5s, sizes and checksums", p1, p2)
	}

	var seen []PartInfo
	info, err := l.CompleteMultipartUpload(ctx, "bkt", "movie", up.UploadID,
		[]CompletePart{{Number: 1, ETag: `"` + p1.ETag + `"`}, {Number: 2, ETag: p2.ETag}},
		CompleteOptions{Checksums: func(_ UploadInfo, parts []PartInfo) (map[string]string,
			string, error) {
			seen = parts
			return map[string]string{"CRC32": "xyz-2"}, ChecksumComposite, nil
		}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	wantETag := MultipartETag([]PartInfo{p1, p2})
	if info.ETag != wantETag || !strings.HasSuffix(wantETag, "-2") || len(seen) != 2 {
		t.Errorf(
			"got ETag %s after showing %d parts, want %s after 2",
			info.ETag,
			len(seen),
			wantETag,
		)
	}

	head, body, err := l.get("movie", nil)
	if err != nil || body != string(one)+string(two) {
		t.Fatalf("got %d bytes, %v, want the two parts", len(body), err)
	}
	if head.ContentType != "video/mp4" || !maps.Equal(head.Tags, opts.Tags) ||
		head.Checksums["CRC32"] != "xyz-2" || head.ChecksumType != ChecksumComposite ||
		len(head.Parts) != 2 || head.Parts[1].Size != int64(len(two)) {
		t.Errorf("got %+v, want the upload's metadata, tags, checksum and two parts", head)
	}
	if _, err := l.MultipartUpload(ctx, "bkt", "movie", up.UploadID); !errors.Is(err,
		ErrNoSuchUpload) {
		t.Errorf("after completion: got error %v, want ErrNoSuchUpload", err)
	}
}

func TestCompleteMultipartUploadRefusesBadPartLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		key   string
		id    func(UploadInfo) string
		parts func(p1, p2 PartInfo) []CompletePart
		want  error
	}{
		{"parts out of order are refused", "k", nil, func(p1, p2 PartInfo) []CompletePart {
			return []CompletePart{{2, p2.ETag, nil}, {1, p1.ETag, nil}}
		}, ErrInvalidPartOrder},
		{"a wrong ETag is an invalid part", "k", nil, func(p1, p2 PartInfo) []CompletePart {
			return []CompletePart{{1, p1.ETag, nil}, {2, p1.ETag, nil}}
		}, ErrInvalidPart},
		{"a part never uploaded is invalid", "k", nil, func(p1, p2 PartInfo) []CompletePart {
			return []CompletePart{{1, p1.ETag, nil}, {3, p2.ETag, nil}}
		}, ErrInvalidPart},
		{"a wrong checksum is an invalid part", "k", nil, func(p1, p2 PartInfo) []CompletePart {
			return []CompletePart{{1, p1.ETag, map[string]string{"CRC32": "9"}}}
		}, ErrInvalidPart},
		{
			"a small part before the last is too small",
			"k",
			nil,
			func(p1, p2 PartInfo) []CompletePart {
				return []CompletePart{{1, p1.ETag, nil}, {2, p2.ETag, nil}}
			},
			ErrEntityTooSmall,
		},
		{"another key's upload is not found", "other", nil, func(p1, p2 PartInfo) []CompletePart {
			return []CompletePart{{1, p1.ETag, nil}}
		}, ErrNoSuchUpload},
		{"an unknown upload is not found", "k", func(UploadInfo) string { return "nope" },
			func(p1, p2 PartInfo) []CompletePart { return []CompletePart{{1, p1.ETag, nil}} },
			ErrNoSuchUpload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLayerWithBucket(t)
			up := l.upload(t, "k", UploadOptions{})
			p1, p2 := l.part(t, up, 1, []byte("small")), l.part(t, up, 2, []byte("last"))
			id := up.UploadID
			if tt.id != nil {
				id = tt.id(up)
			}
			_, err := l.CompleteMultipartUpload(context.Background(), "bkt", tt.key, id,
				tt.parts(p1, p2), CompleteOptions{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if _, err := l.HeadObject(context.Background(), "bkt", "k"); !errors.Is(err,
				ErrObjectNotFound) {
				t.Errorf("got error %v, want no object made", err)
			}
		})
	}
}

func TestSelectPartsPicksTheNamedParts(t *testing.T) {
	t.Parallel()
	uploaded := []PartInfo{{Number: 1, Size: MinPartSize, ETag: "aa"},
		{Number: 2, Size: 1, ETag: "bb"}, {Number: 3, Size: MinPartSize, ETag: "cc"},
		{Number: 4, Size: 0, ETag: "dd"}}
	tests := []struct {
		name      string
		requested []CompletePart
		want      []int
		wantErr   error
	}{
		{"a subset in order is picked", []CompletePart{{1, "aa", nil}, {3, `"CC"`, nil}},
			[]int{1, 3}, nil},
		{
			"a small last part is fine",
			[]CompletePart{{3, "cc", nil}, {4, "dd", nil}},
			[]int{3, 4},
			nil,
		},
		{"a small middle part is too small", []CompletePart{{2, "bb", nil}, {3, "cc", nil}}, nil,
			ErrEntityTooSmall},
		{"a repeated part is out of order", []CompletePart{{1, "aa", nil}, {1, "aa", nil}}, nil,
			ErrInvalidPartOrder},
		{"an empty list is invalid", nil, nil, ErrInvalidPart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := SelectParts(uploaded, tt.requested)
			if tt.wantErr != nil || err != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				return
			}
			var numbers []int
			for _, p := range got {
				numbers = append(numbers, p.Number)
			}
			if !slices.Equal(numbers, tt.want) {
				t.Errorf("got parts %v, want %v", numbers, tt.want)
			}
		})
	}
}

func TestMultipartETagHashesThePartMD5s(t *testing.T) {
	t.Parallel()
	a, b := md5.Sum([]byte("a")), md5.Sum([]byte("b"))
	want := md5Hex(append(a[:], b[:]...)) + "-2"
	got := MultipartETag([]PartInfo{{ETag: hex.EncodeToString(a[:])},
		{ETag: hex.EncodeToString(b[:])}})
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestListPartsPages(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	up := l.upload(t, "k", UploadOptions{})
	for _, n := range []int{3, 1, 2, 10} {
		l.part(t, up, n, []byte{byte(n)})
	}
	var got []int
	marker := 0
	for pages := 0; pages < 5; pages++ {
		res, err := l.ListParts(context.Background(), "bkt", "k", up.UploadID,
			ListPartsOptions{Marker: marker, MaxParts: 3})
		if err != nil {
			t.Fatalf("ListParts: %v", err)
		}
		for _, p := range res.Parts {
			got = append(got, p.Number)
		}
		if !res.IsTruncated {
			break
		}
		marker = res.NextMarker
	}
	if !slices.Equal(got, []int{1, 2, 3, 10}) {
		t.Errorf("got parts %v, want 1 2 3 10 once each", got)
	}
	_, err := l.ListParts(context.Background(), "bkt", "other", up.UploadID, ListPartsOptions{})
	if !errors.Is(err, ErrNoSuchUpload) {
		t.Errorf("another key: got error %v, want ErrNoSuchUpload", err)
	}
}

func TestPageUploadsFollowsMarkersAndGroups(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	ups := []UploadInfo{
		{Key: "a", UploadID: "U2", Initiated: t0},
		{Key: "a", UploadID: "U1", Initiated: t0.Add(time.Second)},
		{Key: "d/1", UploadID: "U3", Initiated: t0},
		{Key: "d/2", UploadID: "U4", Initiated: t0},
		{Key: "e", UploadID: "U5", Initiated: t0},
	}
	tests := []struct {
		name string
		opts ListUploadsOptions
		want string
	}{
		{"everything in order", ListUploadsOptions{}, "a/U2 a/U1 d/1/U3 d/2/U4 e/U5"},
		{"a page ends with markers", ListUploadsOptions{MaxUploads: 2}, "a/U2 a/U1 next a U1"},
		{"an upload marker resumes within a key",
			ListUploadsOptions{KeyMarker: "a", UploadIDMarker: "U2", MaxUploads: 2},
			"a/U1 d/1/U3 next d/1 U3"},
		{"a key marker alone skips the key", ListUploadsOptions{KeyMarker: "a"},
			"d/1/U3 d/2/U4 e/U5"},
		{"a delimiter groups keys", ListUploadsOptions{Delimiter: "/"}, "a/U2 a/U1 e/U5 [d/]"},
		{"a group marker skips the group", ListUploadsOptions{Delimiter: "/", KeyMarker: "d/"},
			"e/U5"},
		{"a prefix filters", ListUploadsOptions{Prefix: "d/"}, "d/1/U3 d/2/U4"},
		{"a vanished upload marker keeps later IDs",
			ListUploadsOptions{KeyMarker: "a", UploadIDMarker: "U15"}, "a/U2 d/1/U3 d/2/U4 e/U5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := pageUploads(ups, tt.opts)
			var got []string
			for _, u := range res.Uploads {
				got = append(got, u.Key+"/"+u.UploadID)
			}
			for _, p := range res.CommonPrefixes {
				got = append(got, "["+p+"]")
			}
			if res.IsTruncated {
				got = append(got, "next", res.NextKeyMarker, res.NextUploadIDMarker)
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

func TestAbortAndListMultipartUploads(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	a, b := l.upload(t, "a", UploadOptions{}), l.upload(t, "b", UploadOptions{})
	l.part(t, a, 1, []byte("x"))
	if err := l.AbortMultipartUpload(ctx, "bkt", "b", a.UploadID); !errors.Is(
		err,
		ErrNoSuchUpload,
	) {
		t.Errorf("aborting with another key: got error %v, want ErrNoSuchUpload", err)
	}
	if err := l.AbortMultipartUpload(ctx, "bkt", "a", a.UploadID); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	res, err := l.ListMultipartUploads(ctx, "bkt", ListUploadsOptions{})
	if err != nil || len(res.Uploads) != 1 || res.Uploads[0].UploadID != b.UploadID {
		t.Errorf("got %+v, %v, want only the upload of b", res, err)
	}
	_, err = l.PutObjectPart(
		ctx,
		"bkt",
		"a",
		a.UploadID,
		2,
		strings.NewReader("y"),
		1,
		PartOptions{},
	)
	if !errors.Is(err, ErrNoSuchUpload) {
		t.Errorf("a part for an aborted upload: got error %v, want ErrNoSuchUpload", err)
	}
	_, err = l.PutObjectPart(
		ctx,
		"bkt",
		"b",
		b.UploadID,
		MaxPartNumber+1,
		strings.NewReader("y"),
		1,
		PartOptions{},
	)
	if !errors.Is(err, ErrInvalidPartNumber) {
		t.Errorf("part 10001: got error %v, want ErrInvalidPartNumber", err)
	}
	if _, err := l.ListMultipartUploads(ctx, "missing", ListUploadsOptions{}); !errors.Is(err,
		ErrBucketNotFound) {
		t.Errorf("missing bucket: got error %v, want ErrBucketNotFound", err)
	}
}

func TestStaleUploadsAreCleanedOnStart(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	stale := l.upload(t, "old", UploadOptions{})
	l.part(t, stale, 1, []byte("x"))

	if n, err := l.CleanStaleUploads(ctx, time.Hour); n != 0 || err != nil {
		t.Fatalf("with an hour's expiry: got %d aborted, %v, want none", n, err)
	}
	reports := make(chan int, 4)
	started, err := NewErasureLayerFromConfig(
		ErasureConfig{Set: l.set, UploadExpiry: time.Nanosecond,
			OnClean: func(n int, err error) {
				if err != nil {
					t.Errorf("cleaning: %v", err)
				}
				reports <- n
			}},
	)
	if err != nil {
		t.Fatal(err)
	}
	defer started.Close()
	select {
	case n := <-reports:
		if n != 1 {
			t.Errorf("the first pass aborted %d uploads, want 1", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cleaner did not run at start")
	}
	if _, err := l.MultipartUpload(ctx, "bkt", "old", stale.UploadID); !errors.Is(err,
		ErrNoSuchUpload) {
		t.Errorf("got error %v, want the stale upload gone", err)
	}
}

func TestTagsAreReplacedWithoutTouchingTheObject(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	put := l.put(t, "k", "content")
	tags := map[string]string{"project": "strata", "tier": "hot"}
	if _, err := l.PutObjectTags(ctx, "bkt", "k", tags); err != nil {
		t.Fatalf("PutObjectTags: %v", err)
	}
	head, err := l.HeadObject(ctx, "bkt", "k")
	if err != nil || !maps.Equal(head.Tags, tags) || head.ETag != put.ETag ||
		!head.ModTime.Equal(put.ModTime) {
		t.Errorf("got %+v, %v, want the tags on the unchanged object", head, err)
	}
	if _, err := l.PutObjectTags(ctx, "bkt", "k", nil); err != nil {
		t.Fatal(err)
	}
	if head, _ := l.HeadObject(ctx, "bkt", "k"); head.Tags != nil {
		t.Errorf("got tags %v after removing them, want none", head.Tags)
	}
	if _, err := l.PutObjectTags(ctx, "bkt", "missing", tags); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("tagging a missing key: got error %v, want ErrObjectNotFound", err)
	}

	if got, err := l.BucketTags(ctx, "bkt"); got != nil || err != nil {
		t.Errorf("untagged bucket: got %v, %v, want no tags", got, err)
	}
	if err := l.PutBucketTags(ctx, "bkt", tags); err != nil {
		t.Fatal(err)
	}
	if got, err := l.BucketTags(ctx, "bkt"); !maps.Equal(got, tags) || err != nil {
		t.Errorf("got %v, %v, want %v", got, err, tags)
	}
	if err := l.PutBucketTags(ctx, "missing", tags); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("missing bucket: got error %v, want ErrBucketNotFound", err)
	}
}

func TestAFailedPreconditionKeepsTheObject(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	l.put(t, "k", "first")
	_, err := l.PutObject(context.Background(), "bkt", "k", strings.NewReader("second"), 6,
		PutOptions{Precondition: func(cur *ObjectInfo) error {
			if cur != nil && cur.ETag == md5Hex([]byte("first")) {
				return ErrPreconditionFailed
			}
			return nil
		}})
	if !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("got error %v, want ErrPreconditionFailed", err)
	}
	if _, got, err := l.get("k", nil); got != "first" || err != nil {
		t.Errorf("got %q, %v, want the first object", got, err)
	}
}

func TestGettingAcrossPartsOfAMultipartObject(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	up := l.upload(t, "k", UploadOptions{})
	one := bytes.Repeat([]byte("0123456789"), MinPartSize/10+1)
	p1, p2 := l.part(t, up, 1, one), l.part(t, up, 2, []byte("abc"))
	_, err := l.CompleteMultipartUpload(context.Background(), "bkt", "k", up.UploadID,
		[]CompletePart{{1, p1.ETag, nil}, {2, p2.ETag, nil}}, CompleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := l.get("k", &Range{Start: int64(len(one)) - 2, Length: 4})
	if err != nil || got != "89ab" {
		t.Errorf("got %q, %v, want %q", got, err, "89ab")
	}
	_, rc, err := l.GetObject(context.Background(), "bkt", "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if n, err := io.Copy(io.Discard, rc); err != nil || n != int64(len(one))+3 {
		t.Errorf("got %d bytes, %v, want %d", n, err, len(one)+3)
	}
}
