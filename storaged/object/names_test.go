package object

import (
	"errors"
	"strings"
	"testing"
)

func TestBucketNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		bucket string
		valid  bool
	}{
		{"a plain name is valid", "my-bucket", true},
		{"three characters are enough", "abc", true},
		{"sixty-three characters are allowed", strings.Repeat("a", 63), true},
		{"dots and digits are allowed", "logs.2024.v1", true},
		{"a name like an address with letters is valid", "192.168.5.a", true},
		{"the reserved name strata is refused", "strata", false},
		{"two characters are too few", "ab", false},
		{"sixty-four characters are too many", strings.Repeat("a", 64), false},
		{"uppercase letters are refused", "MyBucket", false},
		{"underscores are refused", "my_bucket", false},
		{"a leading hyphen is refused", "-bucket", false},
		{"a trailing hyphen is refused", "bucket-", false},
		{"a leading dot is refused", ".bucket", false},
		{"a trailing dot is refused", "bucket.", false},
		{"adjacent dots are refused", "my..bucket", false},
		{"an IPv4 address is refused", "192.168.5.4", false},
		{"the xn-- prefix is refused", "xn--bucket", false},
		{"the -s3alias suffix is refused", "bucket-s3alias", false},
		{"an empty name is refused", "", false},
		{"non-ASCII letters are refused", "bücket", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkBucketName(tt.bucket)
			if tt.valid && err != nil {
				t.Errorf("got error %v for %q, want it valid", err, tt.bucket)
			}
			if !tt.valid && !errors.Is(err, ErrInvalidBucketName) {
				t.Errorf("got error %v for %q, want ErrInvalidBucketName", err, tt.bucket)
			}
		})
	}
}

func TestKeyNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
		want error
	}{
		{"a plain key is valid", "photos/2024/cat.jpg", nil},
		{"1024 bytes are allowed", strings.Repeat("k", 1024), nil},
		{"an empty key is invalid", "", ErrInvalidObjectName},
		{"1025 bytes are too long", strings.Repeat("k", 1025), ErrKeyTooLong},
		{"invalid UTF-8 is refused", "bad\xff", ErrInvalidObjectName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkKey(tt.key)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}
