package erasure

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"path"
)

// Names inside an object directory.
const (
	metaFile  = "meta"
	shardFile = "shards"
)

// Names of the system folders inside a bucket volume. They start with a
// dot, so they never look like an object directory (64 hex digits).
const (
	uploadsDir = ".multipart"
	configDir  = ".bucket"
	uploadFile = "upload"
)

// objectDir returns the directory of a key inside its bucket volume: the hex
// SHA-256 of the key, so that no key can make an unsafe or overlong path.
func objectDir(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// isObjectDir reports whether a listed name (with its trailing slash) is an
// object directory.
func isObjectDir(name string) bool {
	if len(name) != 2*sha256.Size+1 || name[len(name)-1] != '/' {
		return false
	}
	_, err := hex.DecodeString(name[:len(name)-1])
	return err == nil
}

// metaPath returns the path of an object's meta file.
func metaPath(dir string) string { return path.Join(dir, metaFile) }

// shardPath returns the path of an object version's shard file.
func shardPath(dir, dataDir string) string { return path.Join(dir, dataDir, shardFile) }

// partShardPath returns the path of part number n's shard file inside a
// multipart object version.
func partShardPath(dir, dataDir string, n int) string {
	return path.Join(dir, dataDir, fmt.Sprintf("part.%d", n))
}

// uploadDir returns the directory of a multipart upload in its bucket.
func uploadDir(uploadID string) string { return path.Join(uploadsDir, uploadID) }

// uploadPath returns the path of an upload's record.
func uploadPath(uploadID string) string { return path.Join(uploadsDir, uploadID, uploadFile) }

// partMetaPath returns the path of the meta file of part n of an upload.
func partMetaPath(uploadID string, n int) string {
	return path.Join(uploadsDir, uploadID, partMetaName(n))
}

// partMetaName names part n's meta file; the zero padding keeps a
// directory listing in part order.
func partMetaName(n int) string { return fmt.Sprintf("part.%05d", n) }

// configPath returns the path of a bucket configuration record.
func configPath(name string) string { return path.Join(configDir, name) }

// distribution returns, for each drive position, the index of the shard it
// holds for this object. Shards are rotated by a stable hash of bucket and
// key, so that shard 0 starts on a different drive for each object.
func distribution(bucket, key string, n int) []int {
	h := fnv.New64a()
	_, _ = h.Write([]byte(bucket))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(key))
	start := int(h.Sum64() % uint64(n))

	dist := make([]int, n)
	for pos := range dist {
		dist[pos] = (pos - start + n) % n
	}
	return dist
}

// geometry is the arithmetic of one object's blocks and records.
type geometry struct {
	data      int
	blockSize int64
	size      int64
}

// blocks returns the number of blocks of the object.
func (g geometry) blocks() int64 { return ceilDiv(g.size, g.blockSize) }

// blockLen returns how many object bytes block b holds.
func (g geometry) blockLen(b int64) int64 { return min(g.blockSize, g.size-b*g.blockSize) }

// shardLen returns the length of each shard of a block of n bytes.
func (g geometry) shardLen(n int64) int64 { return ceilDiv(n, int64(g.data)) }

// recordOffset returns where block b's record starts in a shard file. All
// blocks before b are full, so their records all have the same length.
func (g geometry) recordOffset(b int64) int64 {
	return b * (hashSize + g.shardLen(g.blockSize))
}

// recordEnd returns where block b's record ends in a shard file.
func (g geometry) recordEnd(b int64) int64 {
	return g.recordOffset(b) + hashSize + g.shardLen(g.blockLen(b))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
