package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
)

// driveUnderTest is what the conformance script calls; both Local and
// Memory have it.
type driveUnderTest interface {
	MakeVolume(ctx context.Context, vol string) error
	StatVolume(ctx context.Context, vol string) (VolumeInfo, error)
	ListVolumes(ctx context.Context) ([]VolumeInfo, error)
	DeleteVolume(ctx context.Context, vol string, force bool) error
	CreateFile(ctx context.Context, vol, p string) (FileWriter, error)
	WriteFile(ctx context.Context, vol, p string, data []byte) error
	ReadFile(ctx context.Context, vol, p string) ([]byte, error)
	ReadRange(ctx context.Context, vol, p string, offset, length int64) (io.ReadCloser, error)
	Rename(ctx context.Context, srcVol, srcPath, dstVol, dstPath string) error
	Delete(ctx context.Context, vol, p string) error
	List(ctx context.Context, vol, dir string) ([]string, error)
}

// outcome names what an operation returned by its error class, so that
// the two drives' transcripts compare whatever their messages say.
func outcome(err error) string {
	for _, known := range []error{ErrVolumeNotFound, ErrFileNotFound, ErrInvalidName,
		ErrVolumeExists, ErrVolumeNotEmpty, ErrWriterDone, io.ErrUnexpectedEOF} {
		if errors.Is(err, known) {
			return "error: " + known.Error()
		}
	}
	if errors.Is(err, fs.ErrExist) {
		return "error: the destination exists"
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return "ok"
}

// conformanceScript runs every operation of the drive contract, edge cases
// included, and returns a line per step.
func conformanceScript(ctx context.Context, d driveUnderTest) []string {
	var out []string
	say := func(step string, detail any, err error) {
		out = append(out, fmt.Sprintf("%s: %v %s", step, detail, outcome(err)))
	}
	read := func(vol, p string) string {
		b, err := d.ReadFile(ctx, vol, p)
		return fmt.Sprintf("%q %s", b, outcome(err))
	}
	say("make vol", "", d.MakeVolume(ctx, "vol"))
	say("make vol again", "", d.MakeVolume(ctx, "vol"))
	say("make bad name", "", d.MakeVolume(ctx, ".hidden"))
	say("make other", "", d.MakeVolume(ctx, "other"))
	vols, err := d.ListVolumes(ctx)
	names := []string{}
	for _, v := range vols {
		names = append(names, v.Name)
	}
	say("list volumes", names, err)
	_, err = d.StatVolume(ctx, "missing")
	say("stat missing volume", "", err)

	say("write a/b/c", "", d.WriteFile(ctx, "vol", "a/b/c", []byte("one")))
	say("write into missing volume", "", d.WriteFile(ctx, "missing", "x", []byte("x")))
	say("write bad path", "", d.WriteFile(ctx, "vol", "../x", []byte("x")))
	say("read a/b/c", read("vol", "a/b/c"), nil)
	say("read missing file", read("vol", "nope"), nil)
	say("replace a/b/c", "", d.WriteFile(ctx, "vol", "a/b/c", []byte("two!")))
	say("read replaced", read("vol", "a/b/c"), nil)

	w, err := d.CreateFile(ctx, "vol", "streamed")
	say("create streamed", "", err)
	if err == nil {
		_, _ = w.Write([]byte("hello "))
		say("read before commit", read("vol", "streamed"), nil)
		_, _ = w.Write([]byte("world"))
		say("commit", "", w.Commit())
		say("commit twice", "", w.Commit())
		_, err = w.Write([]byte("late"))
		say("write after commit", "", err)
		say("abort after commit", "", w.Abort())
	}
	say("read streamed", read("vol", "streamed"), nil)
	if w, err := d.CreateFile(ctx, "vol", "aborted"); err == nil {
		_, _ = w.Write([]byte("gone"))
		say("abort", "", w.Abort())
	}
	say("read aborted", read("vol", "aborted"), nil)

	for _, r := range [][2]int64{{0, 5}, {6, -1}, {6, 5}, {8, 5}, {-1, 2}} {
		rc, err := d.ReadRange(ctx, "vol", "streamed", r[0], r[1])
		got := ""
		if err == nil {
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			got = string(b)
		}
		say(fmt.Sprintf("range %d+%d", r[0], r[1]), got, err)
	}

	say("write x/1", "", d.WriteFile(ctx, "vol", "x/1", []byte("1")))
	say("write x/y/2", "", d.WriteFile(ctx, "vol", "x/y/2", []byte("2")))
	list, err := d.List(ctx, "vol", ".")
	say("list root", list, err)
	list, err = d.List(ctx, "vol", "x")
	say("list x", list, err)
	_, err = d.List(ctx, "vol", "nothing")
	say("list missing dir", "", err)

	say("rename dir to other volume", "", d.Rename(ctx, "vol", "x", "other", "moved/x"))
	say("read moved", read("other", "moved/x/y/2"), nil)
	say("read source", read("vol", "x/1"), nil)
	say("write onto dir", "", d.WriteFile(ctx, "vol", "a/b/d", []byte("d")))
	say("rename dir onto non-empty dir", "", d.Rename(ctx, "other", "moved", "vol", "a"))
	say("rename file over file", "", d.Rename(ctx, "vol", "streamed", "vol", "a/b/c"))
	say("read renamed file", read("vol", "a/b/c"), nil)
	say("rename missing", "", d.Rename(ctx, "vol", "nope", "vol", "n2"))
	say("stage file", "", d.WriteFile(ctx, StagingVolume, "up/part", []byte("p")))
	say("rename out of staging", "", d.Rename(ctx, StagingVolume, "up", "vol", "up"))
	say("read unstaged", read("vol", "up/part"), nil)

	say("delete volume not empty", "", d.DeleteVolume(ctx, "vol", false))
	say("delete tree a", "", d.Delete(ctx, "vol", "a"))
	say("delete missing", "", d.Delete(ctx, "vol", "a/b/c"))
	say("delete root", "", d.Delete(ctx, "vol", "."))
	say("read deleted", read("vol", "a/b/d"), nil)
	say("force delete volume", "", d.DeleteVolume(ctx, "other", true))
	say("delete staging volume", "", d.DeleteVolume(ctx, StagingVolume, true))
	say("read in deleted volume", read("other", "moved/x/1"), nil)
	return out
}

func TestMemoryDriveBehavesLikeALocalDrive(t *testing.T) {
	ctx := context.Background()
	local := conformanceScript(ctx, newDrive(t))
	memory := conformanceScript(ctx, NewMemory("mem", 1<<30))
	if len(local) != len(memory) {
		t.Fatalf("got %d steps from Memory, want %d as from Local", len(memory), len(local))
	}
	for i := range local {
		if local[i] != memory[i] {
			t.Errorf("step %d: got %q from Memory, want %q as from Local", i, memory[i],
				local[i])
		}
	}
	if t.Failed() {
		t.Logf("Local's transcript:\n%s", strings.Join(local, "\n"))
	}
}

func TestMemoryDriveCountsTheBytesItHolds(t *testing.T) {
	ctx := context.Background()
	m := NewMemory("mem", 100)
	steps := []struct {
		name string
		do   func() error
		used uint64
	}{
		{"make a volume", func() error { return m.MakeVolume(ctx, "v") }, 0},
		{
			"write 10 bytes",
			func() error { return m.WriteFile(ctx, "v", "f", make([]byte, 10)) },
			10,
		},
		{
			"replace them with 4",
			func() error { return m.WriteFile(ctx, "v", "f", make([]byte, 4)) },
			4,
		},
		{"add 30 in a directory",
			func() error { return m.WriteFile(ctx, "v", "d/g", make([]byte, 30)) }, 34},
		{"delete the directory", func() error { return m.Delete(ctx, "v", "d") }, 4},
		{"drop the volume", func() error { return m.DeleteVolume(ctx, "v", true) }, 0},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		info, err := m.DiskInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Used != s.used || info.Free != 100-s.used || info.Total != 100 {
			t.Errorf("after %s: got %+v, want used %d of 100", s.name, info, s.used)
		}
	}
}
