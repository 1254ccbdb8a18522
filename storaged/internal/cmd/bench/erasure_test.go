package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestRawCoderRebuildsEveryBlockFromParity(t *testing.T) {
	t.Parallel()
	object := randomBytes(4*blockSize, 5)
	c, err := newRawCoder(object)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.check(object); err != nil {
		t.Errorf("check of the object it encoded: got %v, want no error", err)
	}
	other := bytes.Clone(object)
	other[blockSize+7] ^= 1
	if err := c.check(other); err == nil {
		t.Errorf("check of another object: got no error, want one")
	}
}

func TestErasureFiguresMeasureTheSetAndReconstruct(t *testing.T) {
	t.Parallel()
	cfg := config{runs: 1, erasureMiB: largeMiB, memDir: t.TempDir()}
	figs, notes, err := runErasure(context.Background(), cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatalf("runErasure: %v", err)
	}
	if len(notes) == 0 {
		t.Errorf("notes: got none, want the description of the figures")
	}
	want := []struct {
		name        string
		hasBaseline bool
	}{
		{"encode", true},
		{"reconstruct, 2 data shards lost", true},
		{"encode on -memdir files", true},
		{"reconstruct on -memdir files", true},
		{"hash: HighwayHash-256 of all shards", false},
		{"file writes of 2x the bytes", false},
	}
	if len(figs) != len(want) {
		t.Fatalf("figures: got %d, want %d", len(figs), len(want))
	}
	for i, w := range want {
		f := figs[i]
		if f.name != w.name || len(f.value) != 1 || f.value[0] <= 0 {
			t.Errorf("figure %d: got %q with %v, want %q with one positive sample",
				i, f.name, f.value, w.name)
		}
		if got := len(f.baseline) == 1 && f.baseline[0] > 0; got != w.hasBaseline {
			t.Errorf("figure %q: got baseline %v, want one: %v", f.name, f.baseline, w.hasBaseline)
		}
	}
	if left := entries(t, cfg.memDir); len(left) != 0 {
		t.Errorf("after the figures: got %v in -memdir, want nothing", left)
	}
}

func TestALostDriveFailsItsRangeReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	set, drives, err := openSet(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := benchSet{set: set, drives: drives}
	b := &erasureBench{data: randomBytes(3*blockSize, 6), buf: make([]byte, blockSize)}
	if err := b.prepareDegraded(ctx, s); err != nil {
		t.Fatalf("prepareDegraded: %v", err)
	}
	lost := 0
	for _, d := range drives {
		if d.lost.Load() {
			lost++
			if _, err := d.ReadRange(ctx, erasureBucket, "any", 0, 1); err != errLost {
				t.Errorf("a lost drive's read: got %v, want errLost", err)
			}
		}
	}
	if lost != erasureData {
		t.Errorf("lost drives: got %d, want %d", lost, erasureData)
	}
	if err := b.reconstruct(ctx, s, io.Discard); err != nil {
		t.Errorf("a degraded read: got %v, want no error", err)
	}
}
