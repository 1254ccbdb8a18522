package main

import (
	"bytes"
	"context"
	"io"
	"math"
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
		{"encode on memory drives", true},
		{"encode on -memdir files", true},
		{"reconstruct on -memdir files", true},
		{"hash: HighwayHash-256 of all shards", false},
		{"hash: the same, one shard at a time", false},
		{"hash: parity shards, two blocks at a time", false},
		{"file writes of 2x the bytes", false},
		{"encode ceiling with this hash", true},
		{"reconstruct ceiling with this hash", true},
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

func TestCeilingSpreadsTheCPUWorkButNeverBeatsBareReedsolomon(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                             string
		rawCPU, rawWall, hashWall, share float64
		cpus                             int
		want                             float64
	}{
		// 1 s of coding and 2 s of hashing on 2 CPUs: 1.5 s at best.
		{"hash-bound", 1, 1, 2, 1, 2, 64 / 1.5},
		// Half the hash: 2 s of CPU work on 2 CPUs, 1 s, as fast as bare.
		{"half the hash", 1, 1, 2, 0.5, 2, 64},
		// Hashing cheap next to coding: bare reedsolomon's wall time bounds it.
		{"coding-bound", 0.5, 1, 0.1, 1, 2, 64},
		{"one CPU", 1, 1, 1, 1, 1, 32},
	}
	for _, tt := range tests {
		got := ceiling(64, tt.rawCPU, tt.rawWall, tt.hashWall, tt.share, tt.cpus)
		if math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: got %.3f MiB/s, want %.3f", tt.name, got, tt.want)
		}
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
