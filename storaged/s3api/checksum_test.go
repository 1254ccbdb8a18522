package s3api

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
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
	for _, name := range strings.Split(checksumNames, ", ") {
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

func TestNewerChecksumsMatchPublishedDigests(t *testing.T) {
	t.Parallel()
	// The xxHash values are those the AWS common runtime's checksum tests
	// expect for "Hello world" (seed 0), in the big-endian byte order S3
	// uses; SHA-512 and MD5 are the FIPS 180 and RFC 1321 values of "abc".
	tests := []struct {
		name, input, wantHex string
	}{
		{"SHA512", "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
			"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
		{"MD5", "abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"XXHASH64", "Hello world", "c500b0c912b376d8"},
		{"XXHASH3", "Hello world", "b6acb9d84a38ff74"},
		{"XXHASH128", "Hello world", "7351f89812f97382b91d05b31e04dd7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" of "+tt.input+" is the published digest", func(t *testing.T) {
			t.Parallel()
			alg, ok := checksumByName(strings.ToLower(tt.name))
			if !ok || alg.name != tt.name {
				t.Fatalf("checksumByName(%q): got %q, %v", tt.name, alg.name, ok)
			}
			h := alg.newHash()
			h.Write([]byte(tt.input))
			raw, _ := hex.DecodeString(tt.wantHex)
			if got, want := alg.encode(h), base64.StdEncoding.EncodeToString(raw); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			if !alg.validValue(alg.encode(h)) || alg.size != len(raw) {
				t.Errorf("size %d: its own encoding is not a valid value", alg.size)
			}
		})
	}
}

func TestUnknownChecksumsAreRefused(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"CRC16", "SHA384", "XXHASH32", ""} {
		if alg, ok := checksumByName(name); ok {
			t.Errorf("checksumByName(%q): got %q, want none", name, alg.name)
		}
	}
	e := toAPIError(unsupportedChecksum())
	if e.code != "InvalidRequest" || !strings.Contains(e.message, "XXHASH128]") {
		t.Errorf("got %s %q, want InvalidRequest listing every algorithm", e.code, e.message)
	}
}
