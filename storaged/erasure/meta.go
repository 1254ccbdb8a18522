package erasure

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/minio/highwayhash"
)

// metaVersion is the version of the meta files this package writes.
const metaVersion = 1

// metaPrefix opens the checksum line of a meta file.
const metaPrefix = "hh256:"

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
}

// fileMeta is the content of one drive's meta file for one object version.
type fileMeta struct {
	Version  int               `json:"version"`
	Key      string            `json:"key"`
	Size     int64             `json:"size"`
	ModTime  time.Time         `json:"modTime"`
	DataDir  string            `json:"dataDir"`
	Erasure  erasureMeta       `json:"erasure"`
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

// info returns the object's info.
func (m *fileMeta) info(bucket string) ObjectInfo {
	return ObjectInfo{
		Bucket:   bucket,
		Key:      m.Key,
		Size:     m.Size,
		ModTime:  m.ModTime,
		Metadata: m.Metadata,
	}
}

// geometry returns the block arithmetic of the version.
func (m *fileMeta) geometry() geometry {
	return geometry{data: m.Erasure.Data, blockSize: m.Erasure.BlockSize, size: m.Size}
}

// forDrive returns a copy of m as drive pos stores it.
func (m fileMeta) forDrive(pos int) fileMeta {
	m.Erasure.Index = m.Erasure.Distribution[pos]
	return m
}

// encodeMeta renders a meta file: a checksum line, then JSON.
func encodeMeta(m fileMeta, key []byte) ([]byte, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("erasure: encoding meta: %w", err)
	}
	sum := highwayhash.Sum(body, key)
	out := make([]byte, 0, len(metaPrefix)+2*hashSize+1+len(body))
	out = append(out, metaPrefix...)
	out = hex.AppendEncode(out, sum[:])
	out = append(out, '\n')
	return append(out, body...), nil
}

// decodeMeta parses and checks the meta file that drive pos holds in
// directory dir.
func decodeMeta(b, key []byte, dir string, pos int) (*fileMeta, error) {
	line, body, ok := bytes.Cut(b, []byte{'\n'})
	if !ok || !bytes.HasPrefix(line, []byte(metaPrefix)) {
		return nil, fmt.Errorf("%w: no checksum line", errCorruptMeta)
	}
	want, err := hex.DecodeString(string(line[len(metaPrefix):]))
	sum := highwayhash.Sum(body, key)
	if err != nil || !bytes.Equal(want, sum[:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorruptMeta)
	}

	var m fileMeta
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorruptMeta, err)
	}
	if err := m.check(dir, pos); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorruptMeta, err)
	}
	return &m, nil
}

// check validates a decoded meta file against where it was found.
func (m *fileMeta) check(dir string, pos int) error {
	e := m.Erasure
	n := e.Data + e.Parity
	switch {
	case m.Version != metaVersion:
		return fmt.Errorf("version %d, want %d", m.Version, metaVersion)
	case objectDir(m.Key) != dir:
		return fmt.Errorf("key %q does not belong in %s", m.Key, dir)
	case e.Data < 1 || e.Parity < 0 || e.BlockSize < int64(e.Data) || m.Size < 0:
		return fmt.Errorf("invalid geometry %+v, size %d", e, m.Size)
	case len(e.Distribution) != n || pos >= n || e.Distribution[pos] != e.Index:
		return fmt.Errorf("drive %d holds shard %d, distribution says %v", pos, e.Index, e.Distribution)
	case !fs.ValidPath(m.DataDir) || m.DataDir == "." || m.DataDir == metaFile:
		return fmt.Errorf("invalid data directory %q", m.DataDir)
	}
	return nil
}

// readMetas reads and checks the meta file of one object directory on every
// drive. metas[i] is nil exactly when errs[i] is not.
func (s *Set) readMetas(ctx context.Context, bucket, dir string) ([]*fileMeta, []error) {
	metas := make([]*fileMeta, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		b, err := d.ReadFile(ctx, bucket, metaPath(dir))
		if err != nil {
			return err
		}
		metas[i], err = decodeMeta(b, s.hashKey, dir, i)
		return err
	})
	return metas, errs
}

// pickMeta chooses the object version that the most drives agree on (the
// newest on a tie) and checks that it has read quorum. It returns the
// version's meta and, by drive position, why each other drive cannot serve
// it (nil for the drives that can).
func (s *Set) pickMeta(metas []*fileMeta, errs []error) (*fileMeta, []error, error) {
	votes := map[string]int{}
	var best *fileMeta
	for _, m := range metas {
		if m == nil {
			continue
		}
		votes[m.DataDir]++
		if best == nil || betterVersion(m, best, votes) {
			best = m
		}
	}

	if best != nil && votes[best.DataDir] >= best.Erasure.Data {
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
		agreeing = votes[best.DataDir]
	}
	return nil, nil, quorumError(ErrReadQuorum, "reading object metadata", agreeing, s.data, errs)
}

// betterVersion reports whether m should replace best as the chosen version.
func betterVersion(m, best *fileMeta, votes map[string]int) bool {
	mv, bv := votes[m.DataDir], votes[best.DataDir]
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
		case m.DataDir != chosen.DataDir:
			out[i] = fmt.Errorf("drive %d: holds version %s, not %s", i, m.DataDir, chosen.DataDir)
		}
	}
	return out
}
