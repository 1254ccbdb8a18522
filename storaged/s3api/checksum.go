package s3api

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
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

// checksumNames lists the additional checksums S3 knows, in the order
// its error messages name them.
const checksumNames = "CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, " +
	"XXHASH3, XXHASH128"

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

// checksumByName returns the algorithm S3 calls name (one of
// checksumNames), case-insensitively. Every digest goes on the wire as the
// base64 of its big-endian bytes; for the xxHash family that is xxHash's
// canonical form (XXHASH128 with its high 64 bits first), the form the
// AWS SDKs' checksum library writes.
func checksumByName(name string) (checksumAlgorithm, bool) {
	switch strings.ToUpper(name) {
	case "CRC32":
		return checksumAlgorithm{"CRC32", crc32.Size, newCRC32}, true
	case "CRC32C":
		return checksumAlgorithm{"CRC32C", crc32.Size, newCRC32C}, true
	case "CRC64NVME":
		return checksumAlgorithm{"CRC64NVME", crc64.Size, newCRC64NVME}, true
	case "SHA1":
		return checksumAlgorithm{"SHA1", sha1.Size, sha1.New}, true
	case "SHA256":
		return checksumAlgorithm{"SHA256", sha256.Size, sha256.New}, true
	}
	return newerChecksumByName(name)
}

// newerChecksumByName returns the algorithms S3 added in 2026.
func newerChecksumByName(name string) (checksumAlgorithm, bool) {
	switch strings.ToUpper(name) {
	case "SHA512":
		return checksumAlgorithm{"SHA512", sha512.Size, sha512.New}, true
	case "MD5":
		return checksumAlgorithm{"MD5", md5.Size, md5.New}, true
	case "XXHASH64":
		return checksumAlgorithm{"XXHASH64", 8, newXXHash64}, true
	case "XXHASH3":
		return checksumAlgorithm{"XXHASH3", 8, newXXHash3}, true
	case "XXHASH128":
		return checksumAlgorithm{"XXHASH128", 16, newXXHash128}, true
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

// unsupportedChecksum is S3's answer to an algorithm name it does not know.
func unsupportedChecksum() error {
	return errorf("InvalidRequest", "Checksum algorithm provided is unsupported. Please try "+
		"again with any of the valid types: [%s]", checksumNames)
}

func newCRC32() hash.Hash {
	return crc32.NewIEEE()
}

func newCRC32C() hash.Hash {
	return crc32.New(crc32.MakeTable(crc32.Castagnoli))
}

func newCRC64NVME() hash.Hash {
	return crc64.New(crc64.MakeTable(crc64NVMEPolynomial))
}

// The xxHash digests' Sum methods append the big-endian bytes S3 sends.
func newXXHash64() hash.Hash  { return xxhash.New() }
func newXXHash3() hash.Hash   { return xxh3.New() }
func newXXHash128() hash.Hash { return xxh3.New128() }
