package rpc

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
)

// TestErasureSetOverRemoteDrives builds a set of four drives, two local
// and two served by another node over the RPC, and runs the erasure
// layer's quorum logic across them, with the other node up and down.
func TestErasureSetOverRemoteDrives(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	dir := t.TempDir()
	open := func(i int) *drive.Local {
		d, err := drive.Open(filepath.Join(dir, "d", string(rune('0'+i))),
			drive.Identity{SetID: "s", Index: i})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	served := map[string]erasure.Drive{"s:2": open(2), "s:3": open(3)}
	srv := startNode(t, ca, "node-b", served)
	peer := newTestPeer(t, ca, "node-b", srv.URL, ca.issue(t, "node-a"))
	set, err := erasure.New(erasure.Config{Parity: 2, BlockSize: 64 << 10, Drives: []erasure.Drive{
		open(0), open(1), peer.Drive("s:2"), peer.Drive("s:3")}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data := make([]byte, 300_001)
	_, _ = rand.Read(data)

	if err := set.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	if _, err := set.Put(ctx, "bkt", "obj", bytes.NewReader(data),
		erasure.PutOptions{}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	t.Run("an object written across nodes reads back", func(t *testing.T) {
		if got := readAll(t, set, "obj"); !bytes.Equal(got, data) {
			t.Errorf("got %d bytes, want the %d written", len(got), len(data))
		}
		for id, d := range served {
			if names, err := d.List(ctx, "bkt", "."); err != nil || len(names) != 1 {
				t.Errorf("remote drive %s holds %v, %v; want one object directory", id, names, err)
			}
		}
	})
	srv.Close()
	t.Run("with the other node down the object still reads back", func(t *testing.T) {
		if got := readAll(t, set, "obj"); !bytes.Equal(got, data) {
			t.Errorf("got %d bytes, want the %d written", len(got), len(data))
		}
	})
	t.Run("with the other node down a write misses its quorum", func(t *testing.T) {
		_, err := set.Put(ctx, "bkt", "new", bytes.NewReader(data), erasure.PutOptions{})
		if !errors.Is(err, erasure.ErrWriteQuorum) {
			t.Errorf("got %v, want ErrWriteQuorum", err)
		}
		if _, err := set.Stat(ctx, "bkt", "new"); !errors.Is(err, erasure.ErrObjectNotFound) {
			t.Errorf("after the failed write: got %v, want ErrObjectNotFound", err)
		}
	})
}

// readAll reads a whole object of bucket bkt from set.
func readAll(t *testing.T, set *erasure.Set, key string) []byte {
	t.Helper()
	ctx := context.Background()
	o, err := set.Open(ctx, "bkt", key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	r, err := o.NewReader(ctx, 0, o.Info().Size)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return got
}
