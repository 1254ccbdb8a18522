package s3api

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/strata-storage/strata/storaged/object"
)

// Reflected polynomials of the CRCs whose values combine across parts.
const (
	crc32IEEEReflected       = 0xedb88320
	crc32CastagnoliReflected = 0x82f63b78
)

// checksumTypeFor returns the checksum type of an upload that names alg:
// typ when given, else S3's default (FULL_OBJECT for CRC64NVME, COMPOSITE
// for the others). A type the algorithm cannot have is InvalidRequest:
// only the CRCs combine into a FULL_OBJECT value, so SHA1, SHA256 and the
// algorithms of 2026 (SHA512, MD5, XXHASH64, XXHASH3, XXHASH128) are
// COMPOSITE only.
func checksumTypeFor(alg, typ string) (string, error) {
	if typ == "" {
		if alg == "CRC64NVME" {
			return object.ChecksumFullObject, nil
		}
		return object.ChecksumComposite, nil
	}
	switch {
	case typ == object.ChecksumComposite && alg != "CRC64NVME":
		return typ, nil
	case typ == object.ChecksumFullObject && crcReflected(alg) != 0:
		return typ, nil
	case typ != object.ChecksumComposite && typ != object.ChecksumFullObject:
		return "", errorf("InvalidRequest", "Value for x-amz-checksum-type header is invalid.")
	}
	return "", errorf("InvalidRequest", "The %s checksum type cannot be used with the %s "+
		"checksum algorithm.", typ, alg)
}

// crcReflected returns the reflected polynomial of a CRC algorithm whose
// full-object value can be combined from its parts, 0 for the others.
func crcReflected(alg string) uint64 {
	switch alg {
	case "CRC32":
		return crc32IEEEReflected
	case "CRC32C":
		return crc32CastagnoliReflected
	case "CRC64NVME":
		return crc64NVMEPolynomial
	}
	return 0
}

// completeChecksums computes the checksum of an object completed from
// parts, for object.CompleteOptions.Checksums: the upload's algorithm as
// COMPOSITE (the checksum of the parts' binary checksums, "-N") or
// FULL_OBJECT (the parts' CRCs combined). An upload without an algorithm
// gets a FULL_OBJECT CRC64NVME when every part has one, and none
// otherwise.
func completeChecksums(up object.UploadInfo, parts []object.PartInfo) (map[string]string,
	string, error) {
	alg, typ := up.ChecksumAlgorithm, up.ChecksumType
	if alg == "" {
		alg, typ = "CRC64NVME", object.ChecksumFullObject
		for _, p := range parts {
			if p.Checksums[alg] == "" {
				return nil, "", nil
			}
		}
	}
	raws, err := partChecksums(alg, parts)
	if err != nil {
		return nil, "", err
	}
	if typ == object.ChecksumComposite {
		a, _ := checksumByName(alg)
		h := a.newHash()
		for _, r := range raws {
			h.Write(r)
		}
		return map[string]string{alg: a.encode(h) + "-" + strconv.Itoa(len(parts))}, typ, nil
	}
	return map[string]string{alg: combineCRCs(alg, raws, parts)}, object.ChecksumFullObject, nil
}

// partChecksums decodes every part's checksum of alg; a part without one
// cannot make the object's (InvalidPart).
func partChecksums(alg string, parts []object.PartInfo) ([][]byte, error) {
	out := make([][]byte, len(parts))
	for i, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p.Checksums[alg])
		if err != nil || len(raw) == 0 {
			return nil, fmt.Errorf("%w: part %d has no %s checksum", object.ErrInvalidPart,
				p.Number, alg)
		}
		out[i] = raw
	}
	return out, nil
}

// combineCRCs returns the base64 CRC of the parts' concatenation from the
// parts' CRCs and sizes.
func combineCRCs(alg string, raws [][]byte, parts []object.PartInfo) string {
	poly, width := crcReflected(alg), len(raws[0])
	var crc uint64
	for i, raw := range raws {
		v := beUint(raw)
		if i == 0 {
			crc = v
			continue
		}
		crc = crcCombine(poly, width*8, crc, v, parts[i].Size)
	}
	out := make([]byte, 8)
	binary.BigEndian.PutUint64(out, crc)
	return base64.StdEncoding.EncodeToString(out[8-width:])
}

// beUint reads a big-endian CRC of up to 8 bytes.
func beUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// crcCombine returns the CRC of A followed by B from crcA, crcB and the
// length of B, for a reflected CRC of the given width whose initial value
// and final xor are all ones (CRC-32, CRC-32C and CRC-64/NVME are). It
// appends lenB zero bytes to A's register by repeated squaring of the
// operator that shifts in one zero bit, as zlib's crc32_combine does.
func crcCombine(poly uint64, width int, crcA, crcB uint64, lenB int64) uint64 {
	if lenB <= 0 {
		return crcA
	}
	odd := make([]uint64, width) // the operator for one zero bit
	odd[0] = poly
	for n := 1; n < width; n++ {
		odd[n] = 1 << (n - 1)
	}
	even := make([]uint64, width)
	gf2Square(even, odd) // two zero bits
	gf2Square(odd, even) // four zero bits
	for {
		gf2Square(even, odd) // the first pass: one zero byte
		if lenB&1 != 0 {
			crcA = gf2Times(even, crcA)
		}
		if lenB >>= 1; lenB == 0 {
			break
		}
		gf2Square(odd, even)
		if lenB&1 != 0 {
			crcA = gf2Times(odd, crcA)
		}
		if lenB >>= 1; lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

// gf2Times multiplies the GF(2) matrix mat by the vector vec.
func gf2Times(mat []uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// gf2Square sets square to mat times mat.
func gf2Square(square, mat []uint64) {
	for n := range mat {
		square[n] = gf2Times(mat, mat[n])
	}
}
