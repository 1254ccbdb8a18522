package drive

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ErrVolumeExists means MakeVolume found the volume already there.
var ErrVolumeExists = errors.New("drive: volume already exists")

// ErrVolumeNotEmpty means DeleteVolume without force found files in the
// volume.
var ErrVolumeNotEmpty = errors.New("drive: volume not empty")

// VolumeInfo describes a volume.
type VolumeInfo struct {
	Name    string
	Created time.Time
}

// volumeRecord is the content of a volume's marker file.
type volumeRecord struct {
	Created time.Time `json:"created"`
}

// MakeVolume creates an empty volume atomically: the volume either appears
// whole, with its marker, or not at all. It returns an error wrapping
// ErrVolumeExists when the volume is already there.
func (l *Local) MakeVolume(ctx context.Context, vol string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := l.userVolumeDir(vol)
	if err != nil {
		return err
	}
	if l.volumeExists(vol) {
		return fmt.Errorf("creating volume %s on %s: %w", vol, l.root, ErrVolumeExists)
	}

	staged, err := l.stageVolume()
	if err != nil {
		return fmt.Errorf("creating volume %s: %w", vol, err)
	}
	if err := os.Rename(staged, dir); err != nil {
		_ = os.RemoveAll(staged)
		if errors.Is(err, fs.ErrExist) || isNotEmpty(err) {
			err = ErrVolumeExists
		}
		return fmt.Errorf("creating volume %s on %s: %w", vol, l.root, err)
	}
	return syncDir(l.root)
}

// userVolumeDir is volumeDir for the volumes callers create and delete; the
// staging volume is not one of them.
func (l *Local) userVolumeDir(vol string) (string, error) {
	if vol == StagingVolume {
		return "", fmt.Errorf("volume %q: %w", vol, ErrInvalidName)
	}
	return l.volumeDir(vol)
}

// stageVolume builds a volume directory with its marker in the temporary
// folder and returns its path.
func (l *Local) stageVolume() (string, error) {
	staged, err := os.MkdirTemp(l.tmpDir(), "volume-")
	if err != nil {
		return "", l.classify(StagingVolume, err)
	}
	data, err := json.Marshal(volumeRecord{Created: time.Now().UTC()})
	if err == nil {
		err = writeSynced(filepath.Join(staged, volumeMarker), data)
	}
	if err == nil {
		err = syncDir(staged)
	}
	if err != nil {
		_ = os.RemoveAll(staged)
		return "", err
	}
	return staged, nil
}

// writeSynced creates a new file with data and syncs it.
func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("creating %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("syncing %s: %w", name, err)
	}
	return f.Close()
}

// StatVolume returns the volume's info, or an error wrapping
// ErrVolumeNotFound.
func (l *Local) StatVolume(ctx context.Context, vol string) (VolumeInfo, error) {
	if err := ctx.Err(); err != nil {
		return VolumeInfo{}, err
	}
	dir, err := l.userVolumeDir(vol)
	if err != nil {
		return VolumeInfo{}, err
	}
	return l.readVolume(vol, dir)
}

// readVolume reads a volume's marker.
func (l *Local) readVolume(vol, dir string) (VolumeInfo, error) {
	b, err := os.ReadFile(filepath.Join(dir, volumeMarker))
	if err != nil {
		err = l.classify(vol, err)
		return VolumeInfo{}, fmt.Errorf("reading volume %s on %s: %w", vol, l.root, err)
	}
	var rec volumeRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return VolumeInfo{}, fmt.Errorf("decoding marker of volume %s on %s: %w", vol, l.root, err)
	}
	return VolumeInfo{Name: vol, Created: rec.Created}, nil
}

// ListVolumes returns every volume of the drive in name order.
func (l *Local) ListVolumes(ctx context.Context) ([]VolumeInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(l.root)
	if err != nil {
		return nil, fmt.Errorf("listing volumes: %w", l.classify("", err))
	}
	var vols []VolumeInfo
	for _, e := range entries {
		if !e.IsDir() || !validVolume(e.Name()) {
			continue
		}
		v, err := l.readVolume(e.Name(), filepath.Join(l.root, e.Name()))
		if errors.Is(err, ErrVolumeNotFound) {
			continue // a directory without a marker is not a volume
		}
		if err != nil {
			return nil, err
		}
		vols = append(vols, v)
	}
	return vols, nil
}

// DeleteVolume removes a volume. Without force it returns an error wrapping
// ErrVolumeNotEmpty when the volume holds any file, and leaves it in place;
// with force it removes the volume and everything in it. The volume
// disappears atomically either way.
func (l *Local) DeleteVolume(ctx context.Context, vol string, force bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := l.userVolumeDir(vol)
	if err != nil {
		return err
	}
	if err := l.checkVolume(vol); err != nil {
		return fmt.Errorf("deleting volume %s: %w", vol, err)
	}
	if !force && hasFiles(dir) {
		return fmt.Errorf("deleting volume %s on %s: %w", vol, l.root, ErrVolumeNotEmpty)
	}

	trash := l.trashPath()
	if err := os.Rename(dir, trash); err != nil {
		return fmt.Errorf("deleting volume %s: %w", vol, l.classify(vol, err))
	}
	if !force && hasFiles(trash) {
		// A file arrived between the check and the rename: put it back.
		if err := os.Rename(trash, dir); err != nil {
			return fmt.Errorf("restoring volume %s after a racing write: %w", vol, err)
		}
		return fmt.Errorf("deleting volume %s on %s: %w", vol, l.root, ErrVolumeNotEmpty)
	}
	if err := syncDir(l.root); err != nil {
		return err
	}
	_ = os.RemoveAll(trash) // Open removes what is left
	return nil
}

// trashPath returns a fresh name in the temporary folder to move doomed
// files to, so that they disappear from their volume in one rename.
func (l *Local) trashPath() string {
	return filepath.Join(l.tmpDir(), "trash-"+rand.Text())
}

// hasFiles reports whether a volume directory holds anything but its
// marker. An unreadable directory counts as not empty.
func hasFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true
	}
	for _, e := range entries {
		if e.Name() != volumeMarker {
			return true
		}
	}
	return false
}
