package drive

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FormatVersion is the version of the format file this package writes.
const FormatVersion = 1

const (
	sysDir       = ".strata.sys"
	formatFile   = "format.json"
	tmpDir       = "tmp"
	stagingDir   = "staging"
	volumeMarker = ".strata.volume"
)

// ErrUnformatted means the directory has no format file yet.
var ErrUnformatted = errors.New("drive: not formatted")

// ErrFormatMismatch means the drive's format file names another erasure set
// or another position in the set than the caller asked for. The drive was
// probably moved or listed in the wrong order; it is never reformatted.
var ErrFormatMismatch = errors.New("drive: format belongs to another set or index")

// Identity is where a drive belongs: an erasure set and its position in it.
type Identity struct {
	// SetID names the erasure set. It must not be empty.
	SetID string
	// Index is the drive's position in the set, from 0.
	Index int
}

// Format is the content of a drive's format file. It is written once, when
// the drive is first opened, and never changed afterwards.
type Format struct {
	Version int    `json:"version"`
	DriveID string `json:"driveID"`
	SetID   string `json:"setID"`
	Index   int    `json:"index"`
}

// Identity returns the set and position the format records.
func (f Format) Identity() Identity {
	return Identity{SetID: f.SetID, Index: f.Index}
}

// FormatPath returns the path of the format file of the drive rooted at
// dir, for callers that watch it (a stat is cheaper than ReadFormat).
func FormatPath(dir string) string {
	return filepath.Join(dir, sysDir, formatFile)
}

// ReadFormat reads the format file of the drive rooted at dir without
// changing anything on disk. It returns an error wrapping ErrUnformatted
// when the drive has no format file.
func ReadFormat(dir string) (Format, error) {
	p := FormatPath(dir)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Format{}, fmt.Errorf("reading %s: %w", p, ErrUnformatted)
	}
	if err != nil {
		return Format{}, fmt.Errorf("reading format: %w", err)
	}

	var f Format
	if err := json.Unmarshal(b, &f); err != nil {
		return Format{}, fmt.Errorf("decoding format %s: %w", p, err)
	}
	if f.Version != FormatVersion || f.DriveID == "" || f.SetID == "" || f.Index < 0 {
		return Format{}, fmt.Errorf("format %s is invalid: %+v", p, f)
	}
	return f, nil
}

// checkFormat compares a drive's format with the identity it is opened as.
func checkFormat(dir string, f Format, want Identity) error {
	if f.Identity() == want {
		return nil
	}
	return fmt.Errorf(
		"drive %s: %w: it is drive %d of set %q, but was opened as drive %d of set %q",
		dir, ErrFormatMismatch, f.Index, f.SetID, want.Index, want.SetID)
}

// newFormat returns the format of a fresh drive.
func newFormat(id Identity) Format {
	return Format{Version: FormatVersion, DriveID: rand.Text(), SetID: id.SetID, Index: id.Index}
}

// ensureEmpty refuses to format a directory that already holds other data.
func ensureEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Name() != sysDir {
			return fmt.Errorf("drive %s is not formatted but holds %q; "+
				"refusing to format a directory that is in use", dir, e.Name())
		}
	}
	return nil
}
