package rpc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/strata-storage/strata/storaged/drive"
)

// TestRemoteDriveRoundTrips runs every Drive method through the RPC over
// real TLS and checks the answer against the local drive behind it.
func TestRemoteDriveRoundTrips(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	r := f.remote

	if err := r.MakeVolume(ctx, "bkt"); err != nil {
		t.Fatalf("MakeVolume: %v", err)
	}
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"disk info reports the file system's space", func(t *testing.T) {
			info, err := r.DiskInfo(ctx)
			if err != nil || info.Total == 0 || info.Free > info.Total {
				t.Errorf("got %+v, %v; want a total above zero and free below it", info, err)
			}
		}},
		{"stat volume returns the volume's creation time", func(t *testing.T) {
			got, err := r.StatVolume(ctx, "bkt")
			want, _ := f.local.StatVolume(ctx, "bkt")
			if err != nil || got.Name != "bkt" || !got.Created.Equal(want.Created) {
				t.Errorf("got %+v, %v; want %+v", got, err, want)
			}
		}},
		{"list volumes names the volume", func(t *testing.T) {
			vols, err := r.ListVolumes(ctx)
			if err != nil || len(vols) != 1 || vols[0].Name != "bkt" {
				t.Errorf("got %+v, %v; want one volume bkt", vols, err)
			}
		}},
		{"write file then read file returns the bytes", func(t *testing.T) {
			if err := r.WriteFile(ctx, "bkt", "dir/meta", []byte("hello")); err != nil {
				t.Fatal(err)
			}
			got, err := r.ReadFile(ctx, "bkt", "dir/meta")
			if err != nil || string(got) != "hello" {
				t.Errorf("got %q, %v; want hello", got, err)
			}
		}},
		{"an empty file round-trips", func(t *testing.T) {
			if err := r.WriteFile(ctx, "bkt", "empty", nil); err != nil {
				t.Fatal(err)
			}
			got, err := r.ReadFile(ctx, "bkt", "empty")
			if err != nil || len(got) != 0 {
				t.Errorf("got %q, %v; want an empty file", got, err)
			}
		}},
		{"a committed stream lands on the local drive", func(t *testing.T) {
			want := streamFile(t, r, "bkt", "dir/shards", 5<<20+17)
			got, err := f.local.ReadFile(ctx, "bkt", "dir/shards")
			if err != nil || sha256.Sum256(got) != want {
				t.Errorf("got %d bytes, %v; want the streamed bytes", len(got), err)
			}
		}},
		{"read range returns the middle of a file", func(t *testing.T) {
			rc, err := r.ReadRange(ctx, "bkt", "dir/meta", 1, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || string(got) != "ell" {
				t.Errorf("got %q, %v; want ell", got, err)
			}
		}},
		{"read range with a negative length reads to the end", func(t *testing.T) {
			rc, err := r.ReadRange(ctx, "bkt", "dir/meta", 2, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || string(got) != "llo" {
				t.Errorf("got %q, %v; want llo", got, err)
			}
		}},
		{"a large range streams whole", func(t *testing.T) {
			rc, err := r.ReadRange(ctx, "bkt", "dir/shards", 0, 5<<20+17)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			n, err := io.Copy(io.Discard, rc)
			if err != nil || n != 5<<20+17 {
				t.Errorf("got %d bytes, %v; want %d", n, err, 5<<20+17)
			}
		}},
		{"rename moves a file across volumes", func(t *testing.T) {
			if err := r.WriteFile(ctx, drive.StagingVolume, "x/meta", []byte("v2")); err != nil {
				t.Fatal(err)
			}
			if err := r.Rename(ctx, drive.StagingVolume, "x/meta", "bkt", "dir/meta"); err != nil {
				t.Fatal(err)
			}
			got, err := f.local.ReadFile(ctx, "bkt", "dir/meta")
			if err != nil || string(got) != "v2" {
				t.Errorf("got %q, %v; want v2", got, err)
			}
		}},
		{"list returns names with directories marked", func(t *testing.T) {
			got, err := r.List(ctx, "bkt", ".")
			want := []string{"dir/", "empty"}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("got %q, %v; want %q", got, err, want)
			}
		}},
		{"list of an empty directory is empty, not an error", func(t *testing.T) {
			if err := r.MakeVolume(ctx, "void"); err != nil {
				t.Fatal(err)
			}
			got, err := r.List(ctx, "void", ".")
			if err != nil || len(got) != 0 {
				t.Errorf("got %q, %v; want nothing", got, err)
			}
		}},
		{"delete removes a tree and a second delete succeeds", func(t *testing.T) {
			for range 2 {
				if err := r.Delete(ctx, "bkt", "dir"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.local.ReadFile(ctx, "bkt", "dir/meta"); !errors.Is(
				err,
				drive.ErrFileNotFound,
			) {
				t.Errorf("got %v, want the file gone", err)
			}
		}},
		{"delete volume with force removes a volume with files", func(t *testing.T) {
			if err := r.DeleteVolume(ctx, "bkt", true); err != nil {
				t.Fatal(err)
			}
			if _, err := f.local.StatVolume(ctx, "bkt"); !errors.Is(err, drive.ErrVolumeNotFound) {
				t.Errorf("got %v, want the volume gone", err)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return // later steps build on earlier ones
		}
	}
}

// streamFile writes size random bytes to vol/p through CreateFile in
// uneven pieces, commits them and returns their SHA-256.
func streamFile(t *testing.T, d *RemoteDrive, vol, p string, size int) [32]byte {
	t.Helper()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	w, err := d.CreateFile(context.Background(), vol, p)
	if err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 100_003)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatalf("Write: %v", err)
		}
		rest = rest[n:]
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return sha256.Sum256(data)
}

// TestRemoteErrorsMapToSentinels checks that each failure of the remote
// drive wraps the same sentinel a local drive returns.
func TestRemoteErrorsMapToSentinels(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	r := f.remote
	if err := r.MakeVolume(ctx, "full"); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile(ctx, "full", "f", []byte("abc")); err != nil {
		t.Fatal(err)
	}
	createErr := func() error {
		_, err := r.CreateFile(ctx, "missing", "f")
		return err
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{
			"a missing volume is volume not found",
			statErr(r.StatVolume(ctx, "missing")),
			drive.ErrVolumeNotFound,
		},
		{
			"a missing file is file not found",
			readErr(r.ReadFile(ctx, "full", "nope")),
			drive.ErrFileNotFound,
		},
		{"a volume made twice exists", r.MakeVolume(ctx, "full"), drive.ErrVolumeExists},
		{
			"a volume with files is not empty",
			r.DeleteVolume(ctx, "full", false),
			drive.ErrVolumeNotEmpty,
		},
		{
			"a path with dot-dot is an invalid name",
			r.WriteFile(ctx, "full", "../x", nil),
			drive.ErrInvalidName,
		},
		{
			"a range past the end is an unexpected EOF",
			rangeErr(r.ReadRange(ctx, "full", "f", 2, 5)),
			io.ErrUnexpectedEOF,
		},
		{"creating in a missing volume is volume not found", createErr(), drive.ErrVolumeNotFound},
		{
			"a drive the peer lacks is offline",
			f.peer.Drive("other/3").MakeVolume(ctx, "v"),
			drive.ErrDriveOffline,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) {
				t.Errorf("got %v, want an error wrapping %v", tt.err, tt.want)
			}
		})
	}
	if !f.peer.Online() {
		t.Errorf("the peer counts as down after errors it answered; want it online")
	}
}

func statErr(_ drive.VolumeInfo, err error) error { return err }
func readErr(_ []byte, err error) error           { return err }

func rangeErr(rc io.ReadCloser, err error) error {
	if rc != nil {
		rc.Close()
	}
	return err
}

// TestUploadWriterLifecycle checks commit, abort and reuse of writers.
func TestUploadWriterLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if err := f.remote.MakeVolume(ctx, "v"); err != nil {
		t.Fatal(err)
	}

	t.Run("an aborted upload leaves no file and the peer online", func(t *testing.T) {
		w, err := f.remote.CreateFile(ctx, "v", "aborted")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.Repeat([]byte("x"), 1<<20)); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatalf("Abort: %v", err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("a second Abort: got %v, want nil", err)
		}
		if _, err := f.local.ReadFile(ctx, "v", "aborted"); !errors.Is(err, drive.ErrFileNotFound) {
			t.Errorf("got %v, want no file after abort", err)
		}
		if !f.peer.Online() {
			t.Errorf("the peer counts as down after an abort; want it online")
		}
	})
	t.Run("a committed writer refuses more writes", func(t *testing.T) {
		w, err := f.remote.CreateFile(ctx, "v", "done")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("late")); !errors.Is(err, drive.ErrWriterDone) {
			t.Errorf("Write after Commit: got %v, want ErrWriterDone", err)
		}
		if err := w.Commit(); !errors.Is(err, drive.ErrWriterDone) {
			t.Errorf("Commit after Commit: got %v, want ErrWriterDone", err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after Commit: got %v, want nil", err)
		}
		got, err := f.local.ReadFile(ctx, "v", "done")
		if err != nil || len(got) != 0 {
			t.Errorf("got %q, %v; want an empty committed file", got, err)
		}
	})
	t.Run("nothing is visible before commit", func(t *testing.T) {
		w, err := f.remote.CreateFile(ctx, "v", "pending")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		if _, err := w.Write([]byte("partial")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.local.ReadFile(ctx, "v", "pending"); !errors.Is(err, drive.ErrFileNotFound) {
			t.Errorf("got %v, want nothing visible before Commit", err)
		}
	})
}

// TestRemoteDriveRetiresIntoStaging: the erasure layer retires removed
// data by renaming it into the staging volume of a peer's drive and reads
// it back from there, as it does on a local one.
func TestRemoteDriveRetiresIntoStaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	r := f.remote
	if err := r.MakeVolume(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile(ctx, "bkt", "obj/v1/shards", []byte("retired")); err != nil {
		t.Fatal(err)
	}
	if err := r.Rename(ctx, "bkt", "obj/v1", drive.StagingVolume, "retired/7/bkt/obj/v1"); err != nil {
		t.Fatalf("Rename into staging: %v", err)
	}
	if _, err := r.ReadFile(ctx, "bkt", "obj/v1/shards"); !errors.Is(err, drive.ErrFileNotFound) {
		t.Errorf("the old path: got %v, want ErrFileNotFound", err)
	}
	names, err := r.List(ctx, drive.StagingVolume, "retired")
	if err != nil || len(names) != 1 || names[0] != "7/" {
		t.Errorf("List of retired: got %v, %v, want [7/]", names, err)
	}
	rc, err := r.ReadRange(ctx, drive.StagingVolume, "retired/7/bkt/obj/v1/shards", 2, 3)
	if err != nil {
		t.Fatalf("ReadRange from staging: %v", err)
	}
	defer rc.Close()
	if got, err := io.ReadAll(rc); err != nil || string(got) != "tir" {
		t.Errorf("got %q, %v, want %q", got, err, "tir")
	}
}
