package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// FileInfo describes a file or directory inside a volume.
type FileInfo struct {
	// Name is the last element of the path.
	Name    string
	Size    int64
	ModTime time.Time
	IsDir   bool
}

// ReadFile returns the whole content of a file.
func (l *Local) ReadFile(ctx context.Context, vol, p string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	full, err := l.filePath(vol, p)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(full)
	if err != nil {
		return nil, fmt.Errorf("reading %s/%s: %w", vol, p, l.classify(vol, err))
	}
	return b, nil
}

// WriteFile replaces the file at p with data atomically and durably,
// creating missing directories inside the volume. The volume must exist.
func (l *Local) WriteFile(ctx context.Context, vol, p string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	base, full, err := l.target(vol, p)
	if err != nil {
		return err
	}
	if err := l.writeAtomic(base, full, data); err != nil {
		return fmt.Errorf("writing %s/%s: %w", vol, p, l.classify(vol, err))
	}
	return nil
}

// target resolves a path that is about to be written: it returns the
// volume's directory and the file's path, and checks that the volume exists.
func (l *Local) target(vol, p string) (base, full string, err error) {
	full, err = l.filePath(vol, p)
	if err != nil {
		return "", "", err
	}
	base, _ = l.volumeDir(vol)
	if err := l.checkVolume(vol); err != nil {
		return "", "", fmt.Errorf("writing %s/%s: %w", vol, p, err)
	}
	return base, full, nil
}

// ReadRange returns a reader over length bytes of the file at p starting at
// offset; a negative length reads to the end. A range that runs past the
// end of the file is an error wrapping io.ErrUnexpectedEOF. The caller must
// Close the reader; one reader must not be used concurrently.
func (l *Local) ReadRange(ctx context.Context, vol, p string,
	offset, length int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	full, err := l.filePath(vol, p)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, fmt.Errorf("opening %s/%s: %w", vol, p, l.classify(vol, err))
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("opening %s/%s: %w", vol, p, err)
	}
	if length < 0 {
		length = st.Size() - offset
	}
	if offset < 0 || length < 0 || offset+length > st.Size() {
		_ = f.Close()
		return nil, fmt.Errorf("reading %s/%s: range [%d, %d) outside a file of %d bytes: %w",
			vol, p, offset, offset+length, st.Size(), io.ErrUnexpectedEOF)
	}
	return &rangeReader{Reader: io.NewSectionReader(f, offset, length), f: f}, nil
}

// rangeReader reads a section of an open file and closes it.
type rangeReader struct {
	io.Reader
	f *os.File
}

// Close closes the file.
func (r *rangeReader) Close() error { return r.f.Close() }

// Rename moves a file or a whole directory from one volume to another
// atomically, creating missing directories inside the destination volume.
// A file replaces a file at the destination; a directory fails if the
// destination is a directory that is not empty. The destination's parent is
// synced; the source's is not, so after a crash the source may still exist
// beside the destination (harmless for sources in StagingVolume, which Open
// empties). A directory that leaves StagingVolume has every directory in
// it synced first, since staging writes sync none. A rename into
// StagingVolume syncs only the source's parent, when the source is in
// another volume, so that the removal survives a crash as Delete's does;
// where the file went does not matter, since Open empties StagingVolume.
func (l *Local) Rename(ctx context.Context, srcVol, srcPath, dstVol, dstPath string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	src, err := l.filePath(srcVol, srcPath)
	if err != nil {
		return err
	}
	base, dst, err := l.target(dstVol, dstPath)
	if err != nil {
		return err
	}
	if srcVol == StagingVolume && dstVol != StagingVolume {
		if err := syncTree(src); err != nil {
			return fmt.Errorf("renaming %s/%s to %s/%s: %w",
				srcVol, srcPath, dstVol, dstPath, l.classify(srcVol, err))
		}
	}
	if err := l.renameInto(src, base, dst); err != nil {
		return fmt.Errorf("renaming %s/%s to %s/%s: %w",
			srcVol, srcPath, dstVol, dstPath, l.classify(srcVol, err))
	}
	if dstVol == StagingVolume && srcVol != StagingVolume {
		if err := syncDir(filepath.Dir(src)); err != nil {
			return fmt.Errorf("renaming %s/%s to %s/%s: %w",
				srcVol, srcPath, dstVol, dstPath, l.classify(srcVol, err))
		}
	}
	return nil
}

// Delete removes the file or directory tree at p. It disappears atomically
// (one rename into the temporary folder, then a synced parent) and deleting
// a path that does not exist succeeds. The volume must exist. In
// StagingVolume the parent is not synced: Open empties the whole volume, so
// whether the removal survives a crash makes no difference.
func (l *Local) Delete(ctx context.Context, vol, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	full, err := l.filePath(vol, p)
	if err != nil {
		return err
	}
	if p == "." {
		return fmt.Errorf("deleting the root of volume %s: %w", vol, ErrInvalidName)
	}

	if _, err := os.Lstat(full); err != nil {
		err = l.classify(vol, err)
		if errors.Is(err, ErrFileNotFound) {
			return nil
		}
		return fmt.Errorf("deleting %s/%s: %w", vol, p, err)
	}
	trash := l.trashPath()
	if err := os.Rename(full, trash); err != nil {
		return fmt.Errorf("deleting %s/%s: %w", vol, p, l.classify(vol, err))
	}
	if vol != StagingVolume {
		if err := syncDir(filepath.Dir(full)); err != nil {
			return err
		}
	}
	_ = os.RemoveAll(trash) // Open removes what is left
	return nil
}

// List returns the names in directory dir of a volume ("." is the volume
// itself) in name order; directories carry a trailing slash. The volume's
// marker is never listed.
func (l *Local) List(ctx context.Context, vol, dir string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	full, err := l.filePath(vol, dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return nil, fmt.Errorf("listing %s/%s: %w", vol, dir, l.classify(vol, err))
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		switch {
		case dir == "." && e.Name() == volumeMarker:
		case e.IsDir():
			names = append(names, e.Name()+"/")
		default:
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Stat describes the file or directory at p.
func (l *Local) Stat(ctx context.Context, vol, p string) (FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return FileInfo{}, err
	}
	full, err := l.filePath(vol, p)
	if err != nil {
		return FileInfo{}, err
	}
	st, err := os.Stat(full)
	if err != nil {
		return FileInfo{}, fmt.Errorf("stat %s/%s: %w", vol, p, l.classify(vol, err))
	}
	name := strings.TrimSuffix(st.Name(), "/")
	return FileInfo{Name: name, Size: st.Size(), ModTime: st.ModTime(), IsDir: st.IsDir()}, nil
}

// isNotEmpty reports whether err says a directory rename target is not
// empty.
func isNotEmpty(err error) bool {
	return errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}
