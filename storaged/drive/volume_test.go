package drive

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestVolumesAreCreatedListedAndDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDrive(t)
	before := time.Now().Add(-time.Second)
	for _, v := range []string{"beta", "alpha"} {
		if err := l.MakeVolume(ctx, v); err != nil {
			t.Fatalf("MakeVolume(%s): %v", v, err)
		}
	}

	vols, err := l.ListVolumes(ctx)
	if err != nil {
		t.Fatalf("ListVolumes: %v", err)
	}
	if len(vols) != 2 || vols[0].Name != "alpha" || vols[1].Name != "beta" {
		t.Fatalf("got volumes %+v, want alpha and beta in name order", vols)
	}
	if vols[0].Created.Before(before) {
		t.Errorf("got creation time %v, want after %v", vols[0].Created, before)
	}

	if err := l.DeleteVolume(ctx, "alpha", false); err != nil {
		t.Fatalf("DeleteVolume: %v", err)
	}
	if _, err := l.StatVolume(ctx, "alpha"); !errors.Is(err, ErrVolumeNotFound) {
		t.Errorf("got error %v after deleting, want ErrVolumeNotFound", err)
	}
	if left := tmpEntries(t, l); len(left) != 0 {
		t.Errorf("got %v in the temporary folder, want nothing", left)
	}
}

func TestVolumeErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		op   func(l *Local) error
		want error
	}{
		{"making an existing volume fails", func(l *Local) error {
			return l.MakeVolume(ctx, "vol")
		}, ErrVolumeExists},
		{"a volume name starting with a dot is invalid", func(l *Local) error {
			return l.MakeVolume(ctx, ".strata.sys")
		}, ErrInvalidName},
		{"a volume name with a slash is invalid", func(l *Local) error {
			return l.MakeVolume(ctx, "a/b")
		}, ErrInvalidName},
		{"an empty volume name is invalid", func(l *Local) error {
			return l.MakeVolume(ctx, "")
		}, ErrInvalidName},
		{"the staging volume cannot be made", func(l *Local) error {
			return l.MakeVolume(ctx, StagingVolume)
		}, ErrInvalidName},
		{"the staging volume cannot be deleted", func(l *Local) error {
			return l.DeleteVolume(ctx, StagingVolume, true)
		}, ErrInvalidName},
		{"stat of a missing volume fails", func(l *Local) error {
			_, err := l.StatVolume(ctx, "missing")
			return err
		}, ErrVolumeNotFound},
		{"deleting a missing volume fails", func(l *Local) error {
			return l.DeleteVolume(ctx, "missing", true)
		}, ErrVolumeNotFound},
		{"deleting a volume with a file fails without force", func(l *Local) error {
			if err := l.WriteFile(ctx, "vol", "obj/meta", []byte("x")); err != nil {
				return err
			}
			return l.DeleteVolume(ctx, "vol", false)
		}, ErrVolumeNotEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.op(newDriveWithVolume(t)); !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDeleteVolumeWithForceRemovesItsFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	if err := l.WriteFile(ctx, "vol", "obj/meta", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteVolume(ctx, "vol", false); !errors.Is(err, ErrVolumeNotEmpty) {
		t.Fatalf("got error %v, want ErrVolumeNotEmpty", err)
	}
	if _, err := l.ReadFile(ctx, "vol", "obj/meta"); err != nil {
		t.Fatalf("got error %v after a refused delete, want the file intact", err)
	}
	if err := l.DeleteVolume(ctx, "vol", true); err != nil {
		t.Fatalf("DeleteVolume with force: %v", err)
	}
	if _, err := l.StatVolume(ctx, "vol"); !errors.Is(err, ErrVolumeNotFound) {
		t.Errorf("got error %v, want ErrVolumeNotFound", err)
	}
}
