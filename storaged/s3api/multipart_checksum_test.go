package s3api

import (
	"encoding/base64"
	"fmt"
	"hash"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

func TestCRCsCombineAcrossParts(t *testing.T) {
	t.Parallel()
	a := []byte("the first part, of some length")
	b := make([]byte, 70000)
	for i := range b {
		b[i] = byte(i * 7)
	}
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME"} {
		for _, split := range []int{0, 1, 29, len(a)} {
			t.Run(fmt.Sprintf("%s split at %d equals the whole", alg, split), func(t *testing.T) {
				t.Parallel()
				whole := append(append([]byte{}, a...), b...)
				p1, p2 := whole[:split], whole[split:]
				raws := [][]byte{sumOf(alg, p1), sumOf(alg, p2)}
				parts := []object.PartInfo{{Size: int64(len(p1))}, {Size: int64(len(p2))}}
				got := combineCRCs(alg, raws, parts)
				if want := base64.StdEncoding.EncodeToString(sumOf(alg, whole)); got != want {
					t.Errorf("got %s, want %s", got, want)
				}
			})
		}
	}
}

func sumOf(alg string, b []byte) []byte {
	a, _ := checksumByName(alg)
	h := a.newHash()
	h.Write(b)
	return h.Sum(nil)
}

func TestCompleteChecksums(t *testing.T) {
	t.Parallel()
	p1, p2 := []byte("part one"), []byte("part two!")
	part := func(n int, data []byte, algs ...string) object.PartInfo {
		p := object.PartInfo{Number: n, Size: int64(len(data)), Checksums: map[string]string{}}
		for _, alg := range algs {
			p.Checksums[alg] = base64.StdEncoding.EncodeToString(sumOf(alg, data))
		}
		return p
	}
	composite := func(alg string) string {
		a, _ := checksumByName(alg)
		var h hash.Hash = a.newHash()
		h.Write(sumOf(alg, p1))
		h.Write(sumOf(alg, p2))
		return a.encode(h) + "-2"
	}
	both := append(append([]byte{}, p1...), p2...)
	whole := base64.StdEncoding.EncodeToString(sumOf("CRC64NVME", both))
	tests := []struct {
		name, alg, typ  string
		parts           []object.PartInfo
		wantAlg, wantV  string
		wantType        string
		wantInvalidPart bool
	}{
		{"a SHA256 upload is composite", "SHA256", object.ChecksumComposite,
			[]object.PartInfo{part(1, p1, "SHA256"), part(2, p2, "SHA256")}, "SHA256",
			composite("SHA256"), object.ChecksumComposite, false},
		{"a CRC32 composite upload", "CRC32", object.ChecksumComposite,
			[]object.PartInfo{part(1, p1, "CRC32"), part(2, p2, "CRC32")}, "CRC32",
			composite("CRC32"), object.ChecksumComposite, false},
		{"a CRC64NVME full-object upload combines", "CRC64NVME", object.ChecksumFullObject,
			[]object.PartInfo{part(1, p1, "CRC64NVME"), part(2, p2, "CRC64NVME")}, "CRC64NVME",
			whole, object.ChecksumFullObject, false},
		{"no algorithm with CRC64NVME parts gets a full-object CRC64NVME", "", "",
			[]object.PartInfo{part(1, p1, "CRC64NVME"), part(2, p2, "CRC64NVME")}, "CRC64NVME",
			whole, object.ChecksumFullObject, false},
		{"no algorithm with other parts gets none", "", "",
			[]object.PartInfo{part(1, p1, "CRC32"), part(2, p2, "CRC64NVME")}, "", "", "", false},
		{"a part without the upload's checksum is invalid", "SHA1", object.ChecksumComposite,
			[]object.PartInfo{part(1, p1, "SHA1"), part(2, p2)}, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := object.UploadInfo{UploadOptions: object.UploadOptions{ChecksumAlgorithm: tt.alg,
				ChecksumType: tt.typ}}
			sums, typ, err := completeChecksums(up, tt.parts)
			if tt.wantInvalidPart {
				if toAPIError(err).code != "InvalidPart" {
					t.Fatalf("got %v, want InvalidPart", err)
				}
				return
			}
			if err != nil || sums[tt.wantAlg] != tt.wantV || typ != tt.wantType ||
				tt.wantAlg == "" && sums != nil {
				t.Errorf("got %v %q, %v; want %s %s %q", sums, typ, err, tt.wantAlg, tt.wantV,
					tt.wantType)
			}
		})
	}
}

func TestChecksumTypeFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg, typ, want string
		ok             bool
	}{
		{"CRC32", "", object.ChecksumComposite, true},
		{"CRC64NVME", "", object.ChecksumFullObject, true},
		{"CRC32C", "FULL_OBJECT", object.ChecksumFullObject, true},
		{"SHA256", "FULL_OBJECT", "", false},
		{"CRC64NVME", "COMPOSITE", "", false},
		{"CRC32", "PARTIAL", "", false},
		{"SHA512", "", object.ChecksumComposite, true},
		{"MD5", "COMPOSITE", object.ChecksumComposite, true},
		{"XXHASH64", "", object.ChecksumComposite, true},
		{"XXHASH3", "FULL_OBJECT", "", false},
		{"XXHASH128", "FULL_OBJECT", "", false},
		{"SHA512", "FULL_OBJECT", "", false},
		{"MD5", "FULL_OBJECT", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.alg+" "+tt.typ, func(t *testing.T) {
			t.Parallel()
			got, err := checksumTypeFor(tt.alg, tt.typ)
			if got != tt.want || (err == nil) != tt.ok {
				t.Errorf("got %q, %v; want %q, ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
}
