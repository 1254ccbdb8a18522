package erasure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"

	"github.com/strata-storage/strata/storaged/drive"
)

// Drive is one drive of an erasure set as this package uses it: a local
// directory today (drive.Local), a drive of another node over RPC later.
//
// Paths are slash-separated and relative to a volume. Every method is safe
// for concurrent use, returns errors wrapping the drive package's sentinels
// (drive.ErrDriveOffline, drive.ErrVolumeNotFound, drive.ErrFileNotFound,
// drive.ErrVolumeExists, drive.ErrVolumeNotEmpty), and makes each write
// atomic and durable before it returns: a reader sees the old file or the
// new one, never part of one, and a crash after return loses nothing.
type Drive interface {
	// String names the drive in errors and reports.
	String() string
	// DiskInfo returns the space of the file system under the drive.
	DiskInfo(ctx context.Context) (drive.DiskInfo, error)

	// MakeVolume creates an empty volume; drive.ErrVolumeExists if present.
	MakeVolume(ctx context.Context, vol string) error
	// StatVolume describes a volume.
	StatVolume(ctx context.Context, vol string) (drive.VolumeInfo, error)
	// ListVolumes returns every volume in name order.
	ListVolumes(ctx context.Context) ([]drive.VolumeInfo, error)
	// DeleteVolume removes a volume, and everything in it when force is
	// true; without force a volume holding files is drive.ErrVolumeNotEmpty.
	DeleteVolume(ctx context.Context, vol string, force bool) error

	// CreateFile streams a new file that appears at p, replacing any file
	// there, only when the returned writer's Commit succeeds.
	CreateFile(ctx context.Context, vol, p string) (drive.FileWriter, error)
	// WriteFile replaces the file at p with data.
	WriteFile(ctx context.Context, vol, p string, data []byte) error
	// ReadFile returns a whole file; the caller owns the slice.
	ReadFile(ctx context.Context, vol, p string) ([]byte, error)
	// ReadRange streams length bytes of a file from offset; a range past
	// the end of the file is an error. The caller closes the reader.
	ReadRange(ctx context.Context, vol, p string, offset, length int64) (io.ReadCloser, error)
	// Rename moves a file or directory tree, possibly across volumes. A
	// file replaces a file; a directory never replaces a non-empty one.
	Rename(ctx context.Context, srcVol, srcPath, dstVol, dstPath string) error
	// Delete removes a file or directory tree; a missing path is no error.
	Delete(ctx context.Context, vol, p string) error
	// List returns the names in a directory ("." for the volume itself),
	// directories with a trailing slash.
	List(ctx context.Context, vol, dir string) ([]string, error)
}

var _ Drive = (*drive.Local)(nil)

// OpenLocalDrives opens one local drive per directory, dirs[i] as drive i of
// the set. An empty setID adopts the set ID already recorded on the drives
// (they must agree) or, on fresh drives, makes a new one. A drive that
// belongs to another set or position is an error; a drive that cannot be
// opened for another reason (missing disk, I/O error) is returned as an
// offline drive, so that the set serves what quorum allows. At least one
// drive must open.
func OpenLocalDrives(setID string, dirs []string) ([]Drive, error) {
	if err := checkDistinct(dirs); err != nil {
		return nil, err
	}
	if setID == "" {
		var err error
		if setID, err = discoverSetID(dirs); err != nil {
			return nil, err
		}
	}

	drives := make([]Drive, len(dirs))
	var errs []error
	for i, dir := range dirs {
		l, err := drive.Open(dir, drive.Identity{SetID: setID, Index: i})
		switch {
		case errors.Is(err, drive.ErrFormatMismatch):
			return nil, err
		case err != nil:
			drives[i] = offlineDrive{name: dir, err: err}
			errs = append(errs, err)
		default:
			drives[i] = l
		}
	}
	if len(errs) == len(dirs) {
		return nil, fmt.Errorf("opening drives: none could be opened: %w", errors.Join(errs...))
	}
	return drives, nil
}

// checkDistinct refuses an empty list and a directory named twice.
func checkDistinct(dirs []string) error {
	if len(dirs) == 0 {
		return errors.New("opening drives: no drive directories given")
	}
	seen := make(map[string]bool, len(dirs))
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return fmt.Errorf("resolving drive path %s: %w", d, err)
		}
		if seen[abs] {
			return fmt.Errorf("opening drives: %s is listed twice", abs)
		}
		seen[abs] = true
	}
	return nil
}

// discoverSetID returns the set ID the formatted drives agree on, or a new
// one when none is formatted.
func discoverSetID(dirs []string) (string, error) {
	ids := map[string][]string{}
	for _, dir := range dirs {
		f, err := drive.ReadFormat(dir)
		if err != nil {
			continue // unformatted or unreadable: Open decides
		}
		ids[f.SetID] = append(ids[f.SetID], dir)
	}
	switch len(ids) {
	case 0:
		return rand.Text(), nil
	case 1:
		for id := range ids {
			return id, nil
		}
	}
	names := make([]string, 0, len(ids))
	for id, ds := range ids {
		names = append(names, fmt.Sprintf("%q on %v", id, ds))
	}
	sort.Strings(names)
	return "", fmt.Errorf("opening drives: they belong to different sets: %v", names)
}

// OfflineDrive returns a Drive that stands for a drive that could not be
// opened (named name, failed with err), so that a set is built over it and
// serves on quorum. Every call fails with an error wrapping
// drive.ErrDriveOffline and err.
func OfflineDrive(name string, err error) Drive { return offlineDrive{name: name, err: err} }

// IsOffline reports whether d was made by OfflineDrive.
func IsOffline(d Drive) bool {
	_, ok := d.(offlineDrive)
	return ok
}

// offlineDrive is what OfflineDrive returns.
type offlineDrive struct {
	name string
	err  error
}

var _ Drive = offlineDrive{}

func (o offlineDrive) fail() error {
	return fmt.Errorf("%w: %s: %w", drive.ErrDriveOffline, o.name, o.err)
}

func (o offlineDrive) String() string { return o.name }

func (o offlineDrive) DiskInfo(context.Context) (drive.DiskInfo, error) {
	return drive.DiskInfo{}, o.fail()
}

func (o offlineDrive) MakeVolume(context.Context, string) error { return o.fail() }

func (o offlineDrive) StatVolume(context.Context, string) (drive.VolumeInfo, error) {
	return drive.VolumeInfo{}, o.fail()
}

func (o offlineDrive) ListVolumes(context.Context) ([]drive.VolumeInfo, error) {
	return nil, o.fail()
}

func (o offlineDrive) DeleteVolume(context.Context, string, bool) error { return o.fail() }

func (o offlineDrive) CreateFile(context.Context, string, string) (drive.FileWriter, error) {
	return nil, o.fail()
}

func (o offlineDrive) WriteFile(context.Context, string, string, []byte) error { return o.fail() }

func (o offlineDrive) ReadFile(context.Context, string, string) ([]byte, error) {
	return nil, o.fail()
}

func (o offlineDrive) ReadRange(context.Context, string, string,
	int64, int64) (io.ReadCloser, error) {
	return nil, o.fail()
}

func (o offlineDrive) Rename(context.Context, string, string, string, string) error {
	return o.fail()
}

func (o offlineDrive) Delete(context.Context, string, string) error { return o.fail() }

func (o offlineDrive) List(context.Context, string, string) ([]string, error) {
	return nil, o.fail()
}
