package drive

import (
	"context"
	"errors"
	"os"
	"testing"
)

func TestOpenRemovesLeftoverTemporaryFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)

	w, err := l.CreateFile(ctx, "vol", "never/committed")
	if err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	if _, err := w.Write([]byte("half an object")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := l.WriteFile(ctx, StagingVolume, "upload/meta", []byte("staged")); err != nil {
		t.Fatalf("WriteFile to staging: %v", err)
	}
	if len(tmpEntries(t, l)) == 0 {
		t.Fatalf("got an empty temporary folder before reopening, want the test's files in it")
	}

	again, err := Open(l.String(), testID) // the first process "crashed"
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	if left := tmpEntries(t, again); len(left) != 0 {
		t.Errorf("got %v in the temporary folder after reopening, want nothing", left)
	}
	if _, err := again.ReadFile(ctx, "vol", "never/committed"); !errors.Is(err, ErrFileNotFound) {
		t.Errorf("got error %v reading the uncommitted file, want ErrFileNotFound", err)
	}
}

func TestARemovedDriveReportsOffline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	if err := os.RemoveAll(l.String()); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		op   func() error
	}{
		{"reading a file says offline", func() error {
			_, err := l.ReadFile(ctx, "vol", "x")
			return err
		}},
		{"writing a file says offline", func() error {
			return l.WriteFile(ctx, "vol", "x", []byte("x"))
		}},
		{"creating a file says offline", func() error {
			_, err := l.CreateFile(ctx, "vol", "x")
			return err
		}},
		{"stat of a volume says offline", func() error {
			_, err := l.StatVolume(ctx, "vol")
			return err
		}},
		{"listing volumes says offline", func() error {
			_, err := l.ListVolumes(ctx)
			return err
		}},
		{"making a volume says offline", func() error {
			return l.MakeVolume(ctx, "other")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.op(); !errors.Is(err, ErrDriveOffline) {
				t.Errorf("got error %v, want ErrDriveOffline", err)
			}
		})
	}
	if _, err := os.Stat(l.String()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v for the removed root, want it still missing (never recreated)", err)
	}
}

func TestDiskInfoReportsSpace(t *testing.T) {
	t.Parallel()
	info, err := newDrive(t).DiskInfo(context.Background())
	if err != nil {
		t.Fatalf("DiskInfo: %v", err)
	}
	if info.Total == 0 || info.Free > info.Total || info.Used > info.Total {
		t.Errorf("got %+v, want a non-zero total no smaller than free and used", info)
	}
}

func TestCanceledContextStopsOperations(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := newDriveWithVolume(t)
	if err := l.WriteFile(ctx, "vol", "x", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
}
