package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

// newLayer returns an erasure object layer over four fresh drives, with
// the bucket "bkt", versioned when asked.
func newLayer(t *testing.T, versioned bool) *object.ErasureLayer {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, 4)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 2})
	if err != nil {
		t.Fatalf("erasure.New: %v", err)
	}
	l := object.NewErasureLayer(set)
	t.Cleanup(func() { _ = l.Close() })
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	if versioned {
		if err := l.PutBucketVersioning(ctx, "bkt", object.VersioningEnabled); err != nil {
			t.Fatalf("PutBucketVersioning: %v", err)
		}
	}
	return l
}

// put stores content under key with tags, or fails the test.
func put(t *testing.T, l object.Layer, key, content string, tags map[string]string) {
	t.Helper()
	_, err := l.PutObject(context.Background(), "bkt", key, strings.NewReader(content),
		int64(len(content)), object.PutOptions{Tags: tags})
	if err != nil {
		t.Fatalf("PutObject(%s): %v", key, err)
	}
}

// configure stores the rules as the bucket's lifecycle configuration.
func configure(t *testing.T, l *object.ErasureLayer, rules ...string) {
	t.Helper()
	c := mustParse(t, wrap(rules...))
	doc, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.PutBucketLifecycle(context.Background(), "bkt", doc); err != nil {
		t.Fatalf("PutBucketLifecycle: %v", err)
	}
}

// runAt runs one pass of a worker whose clock reads now plus ahead.
func runAt(t *testing.T, l object.Layer, ahead time.Duration) Stats {
	t.Helper()
	w, err := New(Config{Layer: l, Rate: 1e6,
		Now: func() time.Time { return time.Now().Add(ahead) }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	st, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return st
}

// keys lists the bucket's current keys.
func keys(t *testing.T, l object.Layer) string {
	t.Helper()
	res, err := l.ListObjects(context.Background(), "bkt", object.ListOptions{MaxKeys: 1000})
	if err != nil {
		t.Fatalf("ListObjects: %v", err)
	}
	var out []string
	for _, o := range res.Objects {
		out = append(out, o.Key)
	}
	return strings.Join(out, ",")
}

// versions lists the bucket's versions as key:current|noncurrent|marker.
func versions(t *testing.T, l *object.ErasureLayer) string {
	t.Helper()
	res, err := l.ListObjectVersions(context.Background(), "bkt",
		object.ListVersionsOptions{MaxKeys: 1000})
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", err)
	}
	var out []string
	for _, v := range res.Versions {
		kind := "noncurrent"
		switch {
		case v.DeleteMarker:
			kind = "marker"
		case v.IsLatest:
			kind = "current"
		}
		out = append(out, v.Key+":"+kind)
	}
	return strings.Join(out, ",")
}

const days2 = 3 * 24 * time.Hour // past two days, rounded to midnight

func TestWorkerExpiresCurrentObjects(t *testing.T) {
	t.Parallel()
	expire := func(filter, status string) string {
		return `<Rule><ID>r</ID>` + filter + `<Status>` + status + `</Status>` +
			`<Expiration><Days>2</Days></Expiration></Rule>`
	}
	tests := []struct {
		name    string
		rule    string
		ahead   time.Duration
		want    string
		expired int
	}{
		{"every object older than Days is expired",
			expire(`<Filter/>`, "Enabled"), days2, "", 3},
		{"an object younger than Days is kept",
			expire(`<Filter/>`, "Enabled"), 24 * time.Hour, "keep/b,logs/a,tagged", 0},
		{"a Disabled rule does nothing",
			expire(`<Filter/>`, "Disabled"), days2, "keep/b,logs/a,tagged", 0},
		{"a prefix filter limits the rule to its keys",
			expire(`<Filter><Prefix>logs/</Prefix></Filter>`, "Enabled"), days2,
			"keep/b,tagged", 1},
		{"a tag filter limits the rule to tagged objects",
			expire(`<Filter><Tag><Key>t</Key><Value>1</Value></Tag></Filter>`, "Enabled"), days2,
			"keep/b,logs/a", 1},
		{"a size filter limits the rule to larger objects",
			expire(`<Filter><ObjectSizeGreaterThan>3</ObjectSizeGreaterThan></Filter>`,
				"Enabled"), days2, "keep/b,tagged", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLayer(t, false)
			put(t, l, "logs/a", "12345", nil)
			put(t, l, "keep/b", "1", nil)
			put(t, l, "tagged", "12", map[string]string{"t": "1"})
			configure(t, l, tt.rule)
			st := runAt(t, l, tt.ahead)
			if got := keys(t, l); got != tt.want {
				t.Errorf("keys left: got %q, want %q", got, tt.want)
			}
			if st.Expired != tt.expired {
				t.Errorf("Expired: got %d, want %d", st.Expired, tt.expired)
			}
		})
	}
}

func TestWorkerInVersionedBuckets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rule  string
		setup func(t *testing.T, l *object.ErasureLayer)
		ahead time.Duration
		want  string
	}{
		{"an expired current version becomes a delete marker",
			`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>`,
			func(t *testing.T, l *object.ErasureLayer) { put(t, l, "k", "v1", nil) },
			days2, "k:marker,k:noncurrent"},
		{"a noncurrent version expires after NoncurrentDays",
			`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration>` +
				`<NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration></Rule>`,
			func(t *testing.T, l *object.ErasureLayer) {
				put(t, l, "k", "v1", nil)
				put(t, l, "k", "v2", nil)
			},
			days2, "k:current"},
		{"a noncurrent version is kept before NoncurrentDays",
			`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration>` +
				`<NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration></Rule>`,
			func(t *testing.T, l *object.ErasureLayer) {
				put(t, l, "k", "v1", nil)
				put(t, l, "k", "v2", nil)
			},
			time.Hour, "k:current,k:noncurrent"},
		{"NewerNoncurrentVersions keeps the newest noncurrent versions",
			`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration>` +
				`<NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1` +
				`</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`,
			func(t *testing.T, l *object.ErasureLayer) {
				for _, v := range []string{"v1", "v2", "v3"} {
					put(t, l, "k", v, nil)
				}
			},
			days2, "k:current,k:noncurrent"},
		{"a delete marker left alone is removed when its rule says so",
			`<Rule><Filter/><Status>Enabled</Status><Expiration>` +
				`<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>` +
				`<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>` +
				`</NoncurrentVersionExpiration></Rule>`,
			func(t *testing.T, l *object.ErasureLayer) {
				put(t, l, "k", "v1", nil)
				if _, err := l.DeleteObjectVersion(context.Background(),
					"bkt", "k", ""); err != nil {
					t.Fatal(err)
				}
			},
			days2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLayer(t, true)
			tt.setup(t, l)
			configure(t, l, tt.rule)
			runAt(t, l, tt.ahead)
			if got := versions(t, l); got != tt.want {
				t.Errorf("versions left: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWorkerAbortsStaleUploads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ahead   time.Duration
		aborted int
	}{
		{"an upload older than DaysAfterInitiation is aborted", days2, 1},
		{"a younger upload is kept", time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLayer(t, false)
			ctx := context.Background()
			up, err := l.NewMultipartUpload(ctx, "bkt", "big", object.UploadOptions{})
			if err != nil {
				t.Fatalf("NewMultipartUpload: %v", err)
			}
			configure(t, l, `<Rule><Filter/><Status>Enabled</Status>`+
				`<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation>`+
				`</AbortIncompleteMultipartUpload></Rule>`)
			st := runAt(t, l, tt.ahead)
			if st.UploadsAborted != tt.aborted {
				t.Errorf("UploadsAborted: got %d, want %d", st.UploadsAborted, tt.aborted)
			}
			_, err = l.MultipartUpload(ctx, "bkt", "big", up.UploadID)
			if gone := errors.Is(err, object.ErrNoSuchUpload); gone != (tt.aborted == 1) {
				t.Errorf("upload gone: got %v (%v), want %v", gone, err, tt.aborted == 1)
			}
		})
	}
}

func TestWorkerSkipsBucketsWithoutConfiguration(t *testing.T) {
	t.Parallel()
	l := newLayer(t, false)
	put(t, l, "a", "x", nil)
	st := runAt(t, l, 1000*24*time.Hour)
	if st.Buckets != 0 || keys(t, l) != "a" {
		t.Errorf("got %+v and keys %q, want no bucket walked and key a kept", st, keys(t, l))
	}
}

func TestWorkerStartRunsPassesUntilClose(t *testing.T) {
	t.Parallel()
	l := newLayer(t, false)
	put(t, l, "a", "x", nil)
	configure(t, l, `<Rule><Filter/><Status>Enabled</Status>`+
		`<Expiration><Days>1</Days></Expiration></Rule>`)
	passes := make(chan Stats, 10)
	w, err := New(Config{Layer: l, Interval: time.Hour,
		Now:    func() time.Time { return time.Now().Add(days2) },
		OnPass: func(st Stats, _ error) { passes <- st }})
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	select {
	case st := <-passes:
		if st.Expired != 1 {
			t.Errorf("Expired: got %d, want 1", st.Expired)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no pass within 10s of Start")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
