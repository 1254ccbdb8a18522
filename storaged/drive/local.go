package drive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// StagingVolume is a volume that every drive has and that lives under the
// drive's temporary folder: files written there survive until they are
// renamed into a real volume or the drive is opened again.
const StagingVolume = ".strata.staging"

// Errors a drive operation wraps. Callers test them with errors.Is.
var (
	// ErrDriveOffline means the drive's root directory or format file is
	// gone: the disk was removed, unmounted or wiped while in use.
	ErrDriveOffline = errors.New("drive: offline")
	// ErrVolumeNotFound means the volume does not exist on this drive.
	ErrVolumeNotFound = errors.New("drive: volume not found")
	// ErrFileNotFound means the volume exists but the file does not.
	ErrFileNotFound = errors.New("drive: file not found")
	// ErrInvalidName means a volume name or a path inside a volume is not
	// acceptable: empty, absolute, with "." or ".." elements, or naming the
	// drive's own bookkeeping.
	ErrInvalidName = errors.New("drive: invalid volume name or path")
)

// Local is a drive backed by a directory of the local file system. Its
// methods are safe for concurrent use; writes to the same path race the way
// renames do (the last rename wins) and callers serialise them if they care.
type Local struct {
	root   string
	format Format
}

// Open opens the drive rooted at dir as drive id.Index of set id.SetID. The
// directory is created if missing. A fresh directory is formatted; an empty
// one only: Open refuses to format a directory that holds other files. A
// formatted drive must carry the same identity, or Open returns an error
// wrapping ErrFormatMismatch. Open removes temporary files left behind by an
// earlier process.
func Open(dir string, id Identity) (*Local, error) {
	if id.SetID == "" || id.Index < 0 {
		return nil, fmt.Errorf("opening drive %s: invalid identity %+v", dir, id)
	}
	root, err := prepareRoot(dir)
	if err != nil {
		return nil, err
	}
	f, fresh, err := loadFormat(root, id)
	if err != nil {
		return nil, err
	}

	l := &Local{root: root, format: f}
	if err := l.resetTmp(); err != nil {
		return nil, err
	}
	if fresh {
		if l.format, err = l.writeFormat(id); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// prepareRoot makes sure dir exists and is a directory; it returns its
// absolute path.
func prepareRoot(dir string) (string, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolving drive path %s: %w", dir, err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("creating drive %s: %w", root, err)
	}
	st, err := os.Stat(root)
	if err != nil {
		return "", fmt.Errorf("opening drive %s: %w", root, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("opening drive %s: not a directory", root)
	}
	return root, nil
}

// loadFormat reads and checks the drive's format. fresh is true when the
// drive has none yet and may be formatted.
func loadFormat(root string, id Identity) (f Format, fresh bool, err error) {
	f, err = ReadFormat(root)
	switch {
	case errors.Is(err, ErrUnformatted):
		return Format{}, true, ensureEmpty(root)
	case err != nil:
		return Format{}, false, fmt.Errorf("opening drive %s: %w", root, err)
	}
	return f, false, checkFormat(root, f, id)
}

// writeFormat formats a fresh drive.
func (l *Local) writeFormat(id Identity) (Format, error) {
	f := newFormat(id)
	data, err := marshalJSON(f)
	if err != nil {
		return Format{}, err
	}
	if err := l.writeAtomic(l.root, l.formatPath(), data); err != nil {
		return Format{}, fmt.Errorf("formatting drive %s: %w", l.root, err)
	}
	return f, nil
}

// resetTmp empties the temporary folder and recreates the staging volume.
func (l *Local) resetTmp() error {
	tmp := l.tmpDir()
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("removing leftover temporary files in %s: %w", tmp, err)
	}
	if err := os.MkdirAll(l.stagingDir(), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", l.stagingDir(), err)
	}
	return syncDir(filepath.Join(l.root, sysDir))
}

// String returns the drive's root directory; it names the drive in errors.
func (l *Local) String() string { return l.root }

// Format returns the drive's format as read or written by Open.
func (l *Local) Format() Format { return l.format }

func (l *Local) tmpDir() string     { return filepath.Join(l.root, sysDir, tmpDir) }
func (l *Local) stagingDir() string { return filepath.Join(l.tmpDir(), stagingDir) }
func (l *Local) formatPath() string { return filepath.Join(l.root, sysDir, formatFile) }

// volumeDir returns the directory of a volume.
func (l *Local) volumeDir(vol string) (string, error) {
	if vol == StagingVolume {
		return l.stagingDir(), nil
	}
	if !validVolume(vol) {
		return "", fmt.Errorf("volume %q: %w", vol, ErrInvalidName)
	}
	return filepath.Join(l.root, vol), nil
}

// filePath returns the local path of p inside vol. p is slash-separated and
// relative, as fs.ValidPath defines it; "." names the volume itself.
func (l *Local) filePath(vol, p string) (string, error) {
	dir, err := l.volumeDir(vol)
	if err != nil {
		return "", err
	}
	first, _, _ := strings.Cut(p, "/")
	if !fs.ValidPath(p) || first == volumeMarker {
		return "", fmt.Errorf("path %q: %w", p, ErrInvalidName)
	}
	return filepath.Join(dir, filepath.FromSlash(p)), nil
}

// validVolume reports whether name can be a volume: one path element that
// does not start with a dot, so it can never reach the system folder.
func validVolume(name string) bool {
	return name != "" && len(name) <= 255 && !strings.HasPrefix(name, ".") &&
		!strings.ContainsAny(name, "/\\\x00")
}

// classify turns a "does not exist" error into the sentinel that says what
// is missing: the whole drive, the volume, or only the file.
func (l *Local) classify(vol string, err error) error {
	if !isNotExist(err) {
		return err
	}
	if _, e := os.Stat(l.formatPath()); e != nil {
		return fmt.Errorf("%w: %w", ErrDriveOffline, err)
	}
	if !l.volumeExists(vol) {
		return fmt.Errorf("%w: %w", ErrVolumeNotFound, err)
	}
	return fmt.Errorf("%w: %w", ErrFileNotFound, err)
}

// volumeExists reports whether vol exists, marker included.
func (l *Local) volumeExists(vol string) bool {
	dir, err := l.volumeDir(vol)
	if err != nil {
		return false
	}
	if vol != StagingVolume {
		dir = filepath.Join(dir, volumeMarker)
	}
	_, err = os.Stat(dir)
	return err == nil
}

// checkVolume returns an error unless vol exists on a live drive.
func (l *Local) checkVolume(vol string) error {
	if l.volumeExists(vol) {
		return nil
	}
	return l.classify(vol, fs.ErrNotExist)
}

// isNotExist reports whether err means a path (or one of its parents) is
// missing.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// DiskInfo is the space of the file system that holds a drive, in bytes.
type DiskInfo struct {
	Total uint64
	Free  uint64
	Used  uint64
}

// DiskInfo returns the drive's file system space. Free is what an
// unprivileged writer may still use.
func (l *Local) DiskInfo(ctx context.Context) (DiskInfo, error) {
	if err := ctx.Err(); err != nil {
		return DiskInfo{}, err
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(l.root, &st); err != nil {
		return DiskInfo{}, fmt.Errorf("reading space of %s: %w", l.root, l.classify("", err))
	}
	bs := uint64(st.Bsize)
	return DiskInfo{
		Total: st.Blocks * bs,
		Free:  st.Bavail * bs,
		Used:  (st.Blocks - st.Bfree) * bs,
	}, nil
}
