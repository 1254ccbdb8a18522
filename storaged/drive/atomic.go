package drive

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// createTemp creates a temporary file in the drive's temporary folder. It
// never creates that folder: a drive whose folder is gone is offline.
func (l *Local) createTemp() (*os.File, error) {
	f, err := os.CreateTemp(l.tmpDir(), "file-")
	if err != nil {
		return nil, fmt.Errorf("creating temporary file: %w", l.classify(StagingVolume, err))
	}
	return f, nil
}

// writeAtomic writes data to dst through a temporary file: write, sync,
// rename, sync the parent (see renameInto for the staging volume).
// Directories between base, which must exist, and dst are created.
func (l *Local) writeAtomic(base, dst string, data []byte) error {
	f, err := l.createTemp()
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		discard(f)
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return l.place(f, base, dst)
}

// place syncs and closes f, then renames it to dst with renameInto. On
// failure the temporary file is removed.
func (l *Local) place(f *os.File, base, dst string) error {
	if err := f.Sync(); err != nil {
		discard(f)
		return fmt.Errorf("syncing %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("closing %s: %w", f.Name(), err)
	}
	if err := l.renameInto(f.Name(), base, dst); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}

// discard closes and removes a temporary file.
func discard(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// renameInto renames src to dst under base. In a real volume it does so
// durably (renameDurably). In the staging volume it syncs no directory:
// Open empties the staging volume, so no entry in it outlives a crash and
// syncing one protects nothing. What must survive is what leaves staging
// by Rename into a real volume: a file's bytes are synced before it
// enters staging (place), and Rename syncs a directory tree leaving
// staging (syncTree) and the destination's parent.
func (l *Local) renameInto(src, base, dst string) error {
	if base != l.stagingDir() {
		return renameDurably(src, base, dst)
	}
	if err := mkdirUnder(base, filepath.Dir(dst), false); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("renaming into place: %w", err)
	}
	return nil
}

// renameDurably creates the directories between base and dst's parent,
// renames src to dst and syncs dst's parent so that the rename survives a
// crash.
func renameDurably(src, base, dst string) error {
	parent := filepath.Dir(dst)
	if err := mkdirUnder(base, parent, true); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("renaming into place: %w", err)
	}
	return syncDir(parent)
}

// mkdirUnder creates dir and its missing parents up to base, syncing the
// parent of every directory it creates when durable is set. base itself
// is never created: a missing base (a deleted volume, a removed drive) is
// an error.
func mkdirUnder(base, dir string, durable bool) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if dir == base || parent == dir || len(dir) < len(base) {
		return fmt.Errorf("directory %s: %w", dir, fs.ErrNotExist)
	}
	if err := mkdirUnder(base, parent, durable); err != nil {
		return err
	}
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating directory: %w", err)
	}
	if !durable {
		return nil
	}
	return syncDir(parent)
}

// syncTree syncs every directory of the tree at root, so that the entries
// inside it are durable before the tree is renamed out of the staging
// volume, where they were written without directory syncs. Files are not
// synced: every file enters staging already synced. A root that is a file
// needs nothing.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walking %s: %w", p, err)
		}
		if !e.IsDir() {
			return nil
		}
		return syncDir(p)
	})
}

// syncDir syncs a directory so that the entries created or renamed in it
// are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening directory to sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}

// marshalJSON encodes v as indented JSON followed by a newline.
func marshalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", v, err)
	}
	return append(b, '\n'), nil
}
