package erasure

import (
	"crypto/rand"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// VersionMode is how a bucket keeps the versions of its keys. The object
// layer reads it from the bucket's configuration and passes it down with
// every write and delete.
type VersionMode int

const (
	// Unversioned keeps one version per key, the null version: a write
	// replaces it and a delete removes the key.
	Unversioned VersionMode = iota
	// VersionsEnabled adds every write as a new version with a fresh ID,
	// and a delete as a delete marker.
	VersionsEnabled
	// VersionsSuspended makes every write and delete the null version,
	// replacing an earlier null version and keeping the others.
	VersionsSuspended
)

// ErrVersionNotFound means the key has no version of that ID.
var ErrVersionNotFound = errors.New("erasure: version not found")

// DeleteMarkerError is the error of a read that found a delete marker: the
// current version of the key (Latest; it wraps ErrObjectNotFound), or the
// version the read named (it wraps ErrDeleteMarker).
type DeleteMarkerError struct {
	VersionID string
	Latest    bool
}

// ErrDeleteMarker means a read named a version that is a delete marker,
// which has no data.
var ErrDeleteMarker = errors.New("erasure: the version is a delete marker")

func (e *DeleteMarkerError) Error() string {
	return fmt.Sprintf("erasure: version %q is a delete marker", e.VersionID)
}

// Unwrap returns ErrObjectNotFound for the current version, ErrDeleteMarker
// for a named one.
func (e *DeleteMarkerError) Unwrap() error {
	if e.Latest {
		return ErrObjectNotFound
	}
	return ErrDeleteMarker
}

// newVersionID returns the ID of a new version in mode.
func newVersionID(mode VersionMode) string {
	if mode == VersionsEnabled {
		return rand.Text()
	}
	return ""
}

// versions returns every version of the meta file, newest first.
func (m *fileMeta) versions() []*fileMeta {
	out := make([]*fileMeta, 0, 1+len(m.Older))
	out = append(out, m)
	for i := range m.Older {
		out = append(out, &m.Older[i])
	}
	return out
}

// signature identifies the meta file's whole version list: two drives
// agree on a key only when they hold the same versions.
func (m *fileMeta) signature() string {
	if len(m.Older) == 0 {
		return m.DataDir
	}
	var b strings.Builder
	for _, v := range m.versions() {
		b.WriteString(v.DataDir)
		b.WriteByte('/')
	}
	return b.String()
}

// findVersion returns the version of ID id ("" is the null version).
func (m *fileMeta) findVersion(id string) (*fileMeta, bool) {
	for _, v := range m.versions() {
		if v.VersionID == id {
			return v, true
		}
	}
	return nil, false
}

// dataDirs returns the data directories of every version.
func (m *fileMeta) dataDirs() []string {
	var out []string
	for _, v := range m.versions() {
		out = append(out, v.DataDir)
	}
	return out
}

// withVersion returns the meta file that makes v the current version on
// top of cur (nil when the key has none): cur's versions stay, except a
// null version when v is one too, and except everything when mode is
// Unversioned.
func withVersion(cur *fileMeta, v fileMeta, mode VersionMode) fileMeta {
	v.Older = nil
	if cur == nil || mode == Unversioned {
		return v
	}
	for _, old := range cur.versions() {
		if old.VersionID == "" && v.VersionID == "" {
			continue
		}
		o := *old
		o.Older = nil
		v.Older = append(v.Older, o)
	}
	return v
}

// withoutVersion returns cur without the version of ID id, and whether
// any version is left.
func withoutVersion(cur *fileMeta, id string) (fileMeta, bool) {
	var kept []fileMeta
	for _, v := range cur.versions() {
		if v.VersionID != id {
			o := *v
			o.Older = nil
			kept = append(kept, o)
		}
	}
	if len(kept) == 0 {
		return fileMeta{}, false
	}
	next := kept[0]
	next.Older = kept[1:]
	if len(next.Older) == 0 {
		next.Older = nil
	}
	return next, true
}

// droppedDirs returns the data directories of old's versions that next no
// longer holds, inside object directory dir.
func droppedDirs(dir string, old, next *fileMeta) []string {
	keep := next.dataDirs()
	var out []string
	for _, d := range old.dataDirs() {
		if !slices.Contains(keep, d) {
			out = append(out, path.Join(dir, d))
		}
	}
	return out
}
