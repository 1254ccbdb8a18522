package erasure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// metaVersion is the version of the meta files this package writes.
// Version 2 added multipart objects (Parts) and upload parts (Part);
// version 1 files are read as objects written whole.
const metaVersion = 2

// minMetaVersion is the oldest meta file version this package reads.
const minMetaVersion = 1

// errCorruptMeta means a meta file failed its checksum or does not describe
// what it should.
var errCorruptMeta = errors.New("erasure: corrupt meta file")

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Bucket  string
	Key     string
	Size    int64
	ModTime time.Time
	// Metadata is what PutOptions.Metadata returned at write time.
	Metadata map[string]string
	// Parts lists, in object order, the parts of an object assembled by
	// CompleteUpload; it is empty for an object written whole by Put.
	Parts []PartInfo
	// VersionID names the version; "" is the null version, the only one
	// of a bucket that never had versioning.
	VersionID string
	// DeleteMarker is true for a version that marks the key deleted.
	DeleteMarker bool
	// IsLatest is true for the current version of the key.
	IsLatest bool
}

// fileMeta is the content of one drive's meta file for one object version,
// or for one part of a multipart upload.
type fileMeta struct {
	Version  int               `json:"version"`
	Key      string            `json:"key"`
	Size     int64             `json:"size"`
	ModTime  time.Time         `json:"modTime"`
	DataDir  string            `json:"dataDir"`
	Erasure  erasureMeta       `json:"erasure"`
	Metadata map[string]string `json:"metadata,omitempty"`
	// Parts are the parts of a multipart object, each with its own shard
	// file in DataDir; empty for an object written whole.
	// TODO: 10,000 parts make a meta file of about 1.5 MB that every read of the object decodes;
	// parts beyond the first few could live in a file of their own.
	Parts []partMeta `json:"parts,omitempty"`
	// Part is the part number when the file describes one part of an
	// upload in progress; 0 for an object.
	Part int `json:"part,omitempty"`
	// VersionID names the version ("" for the null version) and
	// DeleteMarker makes it a delete marker, which has no data.
	VersionID    string `json:"versionID,omitempty"`
	DeleteMarker bool   `json:"deleteMarker,omitempty"`
	// Older holds the key's older versions, newest first, each without
	// Older of its own; empty unless the bucket keeps versions.
	Older []fileMeta `json:"older,omitempty"`
}

// partMeta is one part of a multipart object.
type partMeta struct {
	Number   int               `json:"number"`
	Size     int64             `json:"size"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// erasureMeta is how an object version was coded and where its shards are.
type erasureMeta struct {
	Data      int   `json:"data"`
	Parity    int   `json:"parity"`
	BlockSize int64 `json:"blockSize"`
	// Index is the shard this drive holds.
	Index int `json:"index"`
	// Distribution is the shard each drive position holds.
	Distribution []int `json:"distribution"`
}

// sameCoding reports whether two versions were coded alike, so that their
// shard files can make one object.
func (e erasureMeta) sameCoding(o erasureMeta) bool {
	return e.Data == o.Data && e.Parity == o.Parity && e.BlockSize == o.BlockSize &&
		slices.Equal(e.Distribution, o.Distribution)
}

// info returns the version's info.
func (m *fileMeta) info(bucket string) ObjectInfo {
	info := ObjectInfo{
		Bucket:       bucket,
		Key:          m.Key,
		Size:         m.Size,
		ModTime:      m.ModTime,
		Metadata:     m.Metadata,
		VersionID:    m.VersionID,
		DeleteMarker: m.DeleteMarker,
	}
	for _, p := range m.Parts {
		info.Parts = append(info.Parts, PartInfo{Number: p.Number, Size: p.Size,
			Metadata: p.Metadata})
	}
	return info
}

// segments returns the shard files of the version, in object order, each
// with the arithmetic of its blocks. dir is the version's object
// directory.
func (m *fileMeta) segments(dir string) []segment {
	if len(m.Parts) == 0 {
		return []segment{{file: shardPath(dir, m.DataDir), geo: m.geometry(m.Size)}}
	}
	out := make([]segment, len(m.Parts))
	for i, p := range m.Parts {
		out[i] = segment{file: partShardPath(dir, m.DataDir, p.Number), geo: m.geometry(p.Size)}
	}
	return out
}

// geometry returns the block arithmetic of size bytes coded as m is.
func (m *fileMeta) geometry(size int64) geometry {
	return geometry{data: m.Erasure.Data, blockSize: m.Erasure.BlockSize, size: size}
}

// forDrive returns a copy of m as drive pos stores it.
func (m fileMeta) forDrive(pos int) fileMeta {
	m.Erasure.Index = m.Erasure.Distribution[pos]
	if len(m.Older) > 0 {
		older := make([]fileMeta, len(m.Older))
		for i, o := range m.Older {
			older[i] = o.forDrive(pos)
		}
		m.Older = older
	}
	return m
}

// encodeMeta renders a meta file: a checksum line, then JSON.
func encodeMeta(m fileMeta, key []byte) ([]byte, error) {
	return encodeRecord(m, key)
}

// decodeMeta parses and checks the object meta file that drive pos holds
// in object directory dir.
func decodeMeta(b, key []byte, dir string, pos int) (*fileMeta, error) {
	m, err := decodeAnyMeta(b, key, pos)
	if err != nil {
		return nil, err
	}
	switch {
	case m.Part != 0:
		return nil, fmt.Errorf("%w: an upload part's meta in object directory %s",
			errCorruptMeta, dir)
	case objectDir(m.Key) != dir:
		return nil, fmt.Errorf("%w: key %q does not belong in %s", errCorruptMeta, m.Key, dir)
	}
	return m, nil
}

// decodeAnyMeta parses and checks a meta file that drive pos holds,
// wherever it was found.
func decodeAnyMeta(b, key []byte, pos int) (*fileMeta, error) {
	var m fileMeta
	if err := decodeRecord(b, key, &m); err != nil {
		return nil, err
	}
	if err := m.check(pos); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorruptMeta, err)
	}
	return &m, nil
}

// check validates a decoded meta file, older versions included, against
// the drive it was read from.
func (m *fileMeta) check(pos int) error {
	if err := m.checkVersion(pos); err != nil {
		return err
	}
	for i := range m.Older {
		o := &m.Older[i]
		if len(o.Older) > 0 || o.Part != 0 || o.Key != m.Key {
			return fmt.Errorf("invalid older version %q of %q", o.VersionID, m.Key)
		}
		if err := o.checkVersion(pos); err != nil {
			return fmt.Errorf("older version %q: %w", o.VersionID, err)
		}
	}
	return nil
}

// checkVersion validates one version of a meta file.
func (m *fileMeta) checkVersion(pos int) error {
	e := m.Erasure
	n := e.Data + e.Parity
	switch {
	case m.Version < minMetaVersion || m.Version > metaVersion:
		return fmt.Errorf("version %d, want %d to %d", m.Version, minMetaVersion, metaVersion)
	case e.Data < 1 || e.Parity < 0 || e.BlockSize < int64(e.Data) || m.Size < 0:
		return fmt.Errorf("invalid geometry %+v, size %d", e, m.Size)
	case len(e.Distribution) != n || pos >= n || e.Distribution[pos] != e.Index:
		return fmt.Errorf("drive %d holds shard %d, distribution says %v",
			pos, e.Index, e.Distribution)
	case !validName(m.DataDir):
		return fmt.Errorf("invalid data directory %q", m.DataDir)
	case m.Part < 0 || m.Part > MaxPartNumber || m.Part != 0 && len(m.Parts) != 0:
		return fmt.Errorf("invalid part number %d", m.Part)
	}
	return checkParts(m.Parts, m.Size)
}

// checkParts validates the part list of a multipart object of size bytes:
// ascending numbers in range whose sizes add up.
func checkParts(parts []partMeta, size int64) error {
	var total int64
	for i, p := range parts {
		if p.Number < 1 || p.Number > MaxPartNumber || p.Size < 0 ||
			i > 0 && p.Number <= parts[i-1].Number {
			return fmt.Errorf("invalid part %d of %d bytes at position %d", p.Number, p.Size, i)
		}
		total += p.Size
	}
	if len(parts) > 0 && total != size {
		return fmt.Errorf("parts hold %d bytes, the object %d", total, size)
	}
	return nil
}

// validName reports whether name is one safe path element that this
// package may have generated.
func validName(name string) bool {
	return fs.ValidPath(name) && name != "." && !strings.Contains(name, "/") &&
		name != metaFile
}

// readMetas reads and checks the meta file of one object directory on every
// drive. metas[i] is nil exactly when errs[i] is not.
func (s *Set) readMetas(ctx context.Context, bucket, dir string) ([]*fileMeta, []error) {
	return s.readMetaFiles(ctx, bucket, metaPath(dir), func(b []byte, pos int) (*fileMeta, error) {
		return decodeMeta(b, s.hashKey, dir, pos)
	})
}

// readMetaFiles reads the meta file at p on every drive and decodes it
// with decode. metas[i] is nil exactly when errs[i] is not.
func (s *Set) readMetaFiles(ctx context.Context, bucket, p string,
	decode func(b []byte, pos int) (*fileMeta, error)) ([]*fileMeta, []error) {
	metas := make([]*fileMeta, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		b, err := d.ReadFile(ctx, bucket, p)
		if err != nil {
			return err
		}
		metas[i], err = decode(b, i)
		return err
	})
	return metas, errs
}

// pickMeta chooses the meta file that the most drives agree on, its older
// versions included (the newest on a tie), and checks that it has read
// quorum. It returns the meta and, by drive position, why each other drive
// cannot serve it (nil for the drives that can).
func (s *Set) pickMeta(metas []*fileMeta, errs []error) (*fileMeta, []error, error) {
	votes := map[string]int{}
	var best *fileMeta
	for _, m := range metas {
		if m == nil {
			continue
		}
		votes[m.signature()]++
		if best == nil || betterVersion(m, best, votes) {
			best = m
		}
	}

	if best != nil && votes[best.signature()] >= best.Erasure.Data {
		return best, disagreeing(best, metas, errs), nil
	}
	switch {
	case s.absent(lacksObject(errs)):
		return nil, nil, ErrObjectNotFound
	case s.absent(lacksBucket(errs)):
		return nil, nil, ErrBucketNotFound
	}
	agreeing := 0
	if best != nil {
		agreeing = votes[best.signature()]
	}
	return nil, nil, quorumError(ErrReadQuorum, "reading object metadata", agreeing, s.data, errs)
}

// betterVersion reports whether m should replace best as the chosen version.
func betterVersion(m, best *fileMeta, votes map[string]int) bool {
	mv, bv := votes[m.signature()], votes[best.signature()]
	return mv > bv || mv == bv && m.ModTime.After(best.ModTime)
}

// disagreeing returns, by drive position, why a drive cannot serve the
// chosen version: its own error, or a different version.
func disagreeing(chosen *fileMeta, metas []*fileMeta, errs []error) []error {
	out := make([]error, len(metas))
	for i, m := range metas {
		switch {
		case errs[i] != nil:
			out[i] = errs[i]
		case m.signature() != chosen.signature():
			out[i] = fmt.Errorf("drive %d: holds version %s, not %s", i, m.DataDir, chosen.DataDir)
		}
	}
	return out
}
