package s3api

import (
	"encoding/base64"
	"encoding/binary"
	"testing"
)

func TestChecksumAlgorithmsMatchKnownVectors(t *testing.T) {
	t.Parallel()
	// The "check" values of the CRC catalogue for the input "123456789".
	tests := []struct {
		name string
		want uint64
	}{
		{"CRC32", 0xcbf43926},
		{"CRC32C", 0xe3069283},
		{"CRC64NVME", 0xae8b14860a799888},
	}
	for _, tt := range tests {
		t.Run(tt.name+" matches the catalogue check value", func(t *testing.T) {
			t.Parallel()
			alg, ok := checksumByName(tt.name)
			if !ok {
				t.Fatalf("checksumByName(%q): not found", tt.name)
			}
			h := alg.newHash()
			h.Write([]byte("123456789"))
			sum := h.Sum(nil)
			var got uint64
			if alg.size == 4 {
				got = uint64(binary.BigEndian.Uint32(sum))
			} else {
				got = binary.BigEndian.Uint64(sum)
			}
			if got != tt.want {
				t.Errorf("got %#x, want %#x", got, tt.want)
			}
			if enc := alg.encode(h); !alg.validValue(enc) {
				t.Errorf("its own encoding %q is not a valid value", enc)
			}
		})
	}
}

func TestChecksumHeaderNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"} {
		alg, _ := checksumByName(name)
		got, ok := checksumByHeader(alg.header())
		if !ok || got.name != name {
			t.Errorf("checksumByHeader(%q): got %q, want %q", alg.header(), got.name, name)
		}
		if _, err := base64.StdEncoding.DecodeString(alg.encode(alg.newHash())); err != nil {
			t.Errorf("%s: encoding is not base64: %v", name, err)
		}
	}
}
