package pools

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// snapshot describes every version of a bucket through l: its info and
// the SHA-256 of its bytes, by "key@versionID".
func snapshot(t *testing.T, l *Layers, bucket string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, kv := range versions(t, l, bucket, 0) {
		key, id, _ := strings.Cut(kv, "@")
		if strings.HasPrefix(id, "*") {
			out[kv] = "marker"
			continue
		}
		info, rc, err := l.GetObjectVersion(ctx, bucket, key, id, nil)
		if err != nil {
			t.Fatalf("reading %s: %v", kv, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		info.IsLatest = false
		out[kv] = sum(b) + " " + fmtInfo(info)
	}
	return out
}

// fmtInfo prints what a move must keep of a version.
func fmtInfo(i object.ObjectInfo) string {
	return fmt.Sprintf("%s|%s|%v|%v|%v|%s|%v", i.ModTime.UTC().Format(time.RFC3339Nano), i.ETag,
		i.Metadata, i.Tags, i.Checksums, i.ChecksumType, i.Parts)
}

func TestDrainMovesEveryVersionAndKeepsIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p0, p1 := newErasure(t), newErasure(t)
	fill(t, p0)

	before := snapshot(t, newPools(t, []object.Layer{p0}), "ver")
	order := versions(t, p0, "ver", 0)
	plainBefore := snapshot(t, newPools(t, []object.Layer{p0}), "plain")
	l := newPools(t, []object.Layer{p0, p1}, 0)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Drain(dctx, DrainConfig{Runner: "n0", Interval: 50 * time.Millisecond})
	}()
	st := waitDone(t, l)
	cancel()
	<-done

	if want := int64(len(before) + len(plainBefore)); st.ObjectsMoved != want ||
		st.ObjectsLeft != 0 || st.UploadsLeft != 0 || len(st.Failed) > 0 {
		t.Errorf("status %+v: want %d moved, nothing left or failed", st, want)
	}
	if got := versions(t, p0, "ver", 0); len(got) > 0 {
		t.Errorf("the drained pool still holds %v", got)
	}
	only1 := newPools(t, []object.Layer{p1})
	for bucket, want := range map[string]map[string]string{"ver": before, "plain": plainBefore} {
		for name, l := range map[string]*Layers{"during": l, "after removal": only1} {
			if got := snapshot(t, l, bucket); !reflect.DeepEqual(got, want) {
				t.Errorf("%s, bucket %s: got %v\nwant %v", name, bucket, got, want)
			}
		}
	}
	if got := versions(t, only1, "ver", 0); !slices.Equal(got, order) {
		t.Errorf("version order: got %v, want %v", got, order)
	}
}

// waitDone polls the status of pool 0 until its drain is done.
func waitDone(t *testing.T, l *Layers) DrainStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		st := l.Status(context.Background())[0].Decommission
		if st.State == DrainDone {
			return *st
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the drain did not finish in 30s")
	return DrainStatus{}
}

// fill stores, on one pool, a versioned bucket with plain, tagged,
// locked, multipart and deleted keys, and a bucket without versioning.
func fill(t *testing.T, p *object.ErasureLayer) {
	t.Helper()
	ctx := context.Background()
	mkBucket(t, p, "ver", true)
	mkBucket(t, p, "plain", false)
	put(t, p, "ver", "a", "a1")
	put(t, p, "ver", "a", "a2")
	_, err := p.PutObject(ctx, "ver", "locked", strings.NewReader("l"), 1, object.PutOptions{
		Metadata: object.Metadata{ContentType: "text/x", UserMetadata: map[string]string{"m": "1"},
			Lock: object.ObjectLock{Mode: object.LockCompliance,
				RetainUntil: time.Now().Add(time.Hour).UTC(), LegalHold: object.LegalHoldOn}},
		Tags:      map[string]string{"t": "v"},
		Checksums: func() map[string]string { return map[string]string{"SHA256": "c2hh"} },
	})
	if err != nil {
		t.Fatal(err)
	}
	put(t, p, "ver", "gone", "g")
	if err := p.DeleteObject(ctx, "ver", "gone"); err != nil {
		t.Fatal(err)
	}
	up, err := p.NewMultipartUpload(ctx, "ver", "multi", object.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var parts []object.CompletePart
	for n, body := range [][]byte{bytes.Repeat([]byte("m"), object.MinPartSize), []byte("end")} {
		pi, err := p.PutObjectPart(ctx, "ver", "multi", up.UploadID, n+1, bytes.NewReader(body),
			int64(len(body)), object.PartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, object.CompletePart{Number: pi.Number, ETag: pi.ETag})
	}
	if _, err := p.CompleteMultipartUpload(ctx, "ver", "multi", up.UploadID, parts,
		object.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"x/1", "x/2", "y"} {
		put(t, p, "plain", k, "body of "+k)
	}
}

// plainLayer hides every optional capability of a layer.
type plainLayer struct{ object.Layer }

func TestDrainReportsWhatItCannotMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p0 := newErasure(t)
	mkBucket(t, p0, "bkt", false)
	put(t, p0, "bkt", "k", "stays")
	p1 := newErasure(t)
	mkBucket(t, p1, "bkt", false)
	l, err := New(Config{DrainRunner: "elsewhere", Pools: []Pool{
		{Name: "pool-0", Layer: p0, Decommission: true},
		{Name: "pool-1", Layer: plainLayer{p1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st := l.Status(ctx)[0].Decommission; st.State != DrainDraining ||
		st.Runner != "elsewhere" || st.ObjectsLeft != -1 {
		t.Errorf("before the drain runs here: got %+v, want draining, -1 left", st)
	}
	l.drains[0].running = true
	l.pass(ctx, 0, newPacer(0))
	st := l.Status(ctx)[0].Decommission
	if st.State != DrainFailed || len(st.Failed) != 1 ||
		!strings.HasPrefix(st.Failed[0], "bkt/k: ") || st.ObjectsLeft != 1 {
		t.Errorf("after a pass: got %+v, want failed on bkt/k with one version left", st)
	}
	if got, err := read(t, p0, "bkt", "k"); err != nil || got != "stays" {
		t.Errorf("the version that could not move: got %q, %v", got, err)
	}
}
