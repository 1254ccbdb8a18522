package durability

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/minio/highwayhash"
)

// The on-drive layout of storaged/erasure (see its package doc), read
// here straight from the drive folders, without the erasure package, so
// that the check does not trust the code under test.
const (
	// hashKey is the public HighwayHash key of every record and meta file.
	hashKey  = "strata erasure highwayhash key 1"
	hashSize = highwayhash.Size
)

// diskMeta is the part of an object's meta file the check reads.
type diskMeta struct {
	Key     string `json:"key"`
	Size    int64  `json:"size"`
	DataDir string `json:"dataDir"`
	Erasure struct {
		Data      int   `json:"data"`
		Parity    int   `json:"parity"`
		BlockSize int64 `json:"blockSize"`
		Index     int   `json:"index"`
	} `json:"erasure"`
	Parts []struct {
		Number int   `json:"number"`
		Size   int64 `json:"size"`
	} `json:"parts"`
}

// objectDirOf is the object directory of key: the hex SHA-256 of the key.
func objectDirOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// readDiskMeta reads and checks one drive's meta file of key.
func readDiskMeta(driveDir, bucket, key string) (*diskMeta, error) {
	b, err := os.ReadFile(filepath.Join(driveDir, bucket, objectDirOf(key), "meta"))
	if err != nil {
		return nil, err
	}
	line, body, ok := bytes.Cut(b, []byte{'\n'})
	want, herr := hex.DecodeString(string(bytes.TrimPrefix(line, []byte("hh256:"))))
	sum := highwayhash.Sum(body, []byte(hashKey))
	if !ok || herr != nil || !bytes.Equal(want, sum[:]) {
		return nil, errors.New("meta file fails its checksum")
	}
	var m diskMeta
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	if m.Key != key {
		return nil, fmt.Errorf("meta file names key %q", m.Key)
	}
	return &m, nil
}

// checkDriveShards checks one drive's meta file and every shard file of
// key's current version, and returns the shard index the drive holds.
func checkDriveShards(driveDir, bucket, key string) (int, error) {
	m, err := readDiskMeta(driveDir, bucket, key)
	if err != nil {
		return 0, err
	}
	dir := filepath.Join(driveDir, bucket, objectDirOf(key), m.DataDir)
	if len(m.Parts) == 0 {
		return m.Erasure.Index, checkShardFile(filepath.Join(dir, "shards"), m, m.Size)
	}
	for _, p := range m.Parts {
		name := filepath.Join(dir, fmt.Sprintf("part.%d", p.Number))
		if err := checkShardFile(name, m, p.Size); err != nil {
			return 0, err
		}
	}
	return m.Erasure.Index, nil
}

// checkShardFile checks the length of a shard file of size object bytes
// and the hash of every record in it.
func checkShardFile(name string, m *diskMeta, size int64) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	bs, data := m.Erasure.BlockSize, int64(m.Erasure.Data)
	var off int64
	for start := int64(0); start < size; start += bs {
		shard := (min(bs, size-start) + data - 1) / data
		end := off + hashSize + shard
		if end > int64(len(b)) {
			return fmt.Errorf("%s: %d bytes, too short for block %d", name, len(b), start/bs)
		}
		sum := highwayhash.Sum(b[off+hashSize:end], []byte(hashKey))
		if !bytes.Equal(sum[:], b[off:off+hashSize]) {
			return fmt.Errorf("%s: block %d fails its hash", name, start/bs)
		}
		off = end
	}
	if off != int64(len(b)) {
		return fmt.Errorf("%s: %d bytes, want %d", name, len(b), off)
	}
	return nil
}

// shardCheck is what checkObjectShards found for one object.
type shardCheck struct {
	valid    int      // drives holding a good meta file and shard files
	problems []string // one per drive that does not
}

// checkObjectShards checks key on every drive folder: each must hold a
// good meta file and good shard files, and the drives together every
// shard index once.
func checkObjectShards(drives []string, bucket, key string) shardCheck {
	var r shardCheck
	seen := map[int]bool{}
	for _, d := range drives {
		idx, err := checkDriveShards(d, bucket, key)
		switch {
		case err != nil:
			r.problems = append(r.problems, fmt.Sprintf("%s on %s: %v", key, d, err))
		case seen[idx]:
			r.problems = append(r.problems, fmt.Sprintf("%s on %s: shard %d twice", key, d, idx))
		default:
			seen[idx] = true
			r.valid++
		}
	}
	return r
}
