package s3api

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// crc64NVMEPolynomial is CRC-64/NVME's polynomial in the reversed form
// that hash/crc64 takes.
const crc64NVMEPolynomial = 0x9a6c9329ac4bc9b5

// checksumHeaderPrefix starts every additional-checksum header.
const checksumHeaderPrefix = "x-amz-checksum-"

// defaultChecksum is recorded for uploads that bring no checksum, as AWS
// does for new objects.
const defaultChecksum = "CRC64NVME"

// checksumAlgorithm is one of S3's additional checksums.
type checksumAlgorithm struct {
	// name is S3's algorithm name, the key in object.ObjectInfo.Checksums.
	name string
	// size is the digest length in bytes.
	size    int
	newHash func() hash.Hash
}

// header is the algorithm's x-amz-checksum-* header name.
func (a checksumAlgorithm) header() string {
	return checksumHeaderPrefix + strings.ToLower(a.name)
}

// encode returns the base64 digest of h, as S3 sends it.
func (a checksumAlgorithm) encode(h hash.Hash) string {
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// validValue reports whether v is a base64 digest of the right length.
func (a checksumAlgorithm) validValue(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == a.size
}

// checksumByName returns the algorithm S3 calls name (CRC32, CRC32C,
// CRC64NVME, SHA1, SHA256), case-insensitively.
func checksumByName(name string) (checksumAlgorithm, bool) {
	switch strings.ToUpper(name) {
	case "CRC32":
		return checksumAlgorithm{"CRC32", 4, func() hash.Hash { return crc32.NewIEEE() }}, true
	case "CRC32C":
		return checksumAlgorithm{"CRC32C", 4, newCRC32C}, true
	case "CRC64NVME":
		return checksumAlgorithm{"CRC64NVME", 8, newCRC64NVME}, true
	case "SHA1":
		return checksumAlgorithm{"SHA1", sha1.Size, sha1.New}, true
	case "SHA256":
		return checksumAlgorithm{"SHA256", sha256.Size, sha256.New}, true
	}
	return checksumAlgorithm{}, false
}

// checksumByHeader returns the algorithm of an x-amz-checksum-* header name.
func checksumByHeader(name string) (checksumAlgorithm, bool) {
	lower := strings.ToLower(name)
	if !strings.HasPrefix(lower, checksumHeaderPrefix) {
		return checksumAlgorithm{}, false
	}
	return checksumByName(strings.TrimPrefix(lower, checksumHeaderPrefix))
}

func newCRC32C() hash.Hash {
	return crc32.New(crc32.MakeTable(crc32.Castagnoli))
}

func newCRC64NVME() hash.Hash {
	return crc64.New(crc64.MakeTable(crc64NVMEPolynomial))
}
