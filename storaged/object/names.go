package object

import (
	"fmt"
	"net"
	"strings"
	"unicode/utf8"
)

// ReservedBucket is the bucket name storaged keeps for its own endpoints
// (/strata/health/...); it is refused with ErrInvalidBucketName.
const ReservedBucket = "strata"

// MaxKeyLength is the longest object key, in bytes.
const MaxKeyLength = 1024

// checkBucketName applies S3's naming rules for general purpose buckets:
// 3 to 63 characters of lowercase letters, digits, hyphens and dots,
// starting and ending with a letter or digit, no two dots in a row, not
// shaped like an IPv4 address, none of AWS's reserved prefixes and
// suffixes, and not ReservedBucket.
func checkBucketName(name string) error {
	if reason := bucketNameProblem(name); reason != "" {
		return fmt.Errorf("%w: %q %s", ErrInvalidBucketName, name, reason)
	}
	return nil
}

// bucketNameProblem says what is wrong with a bucket name, or "" if nothing.
func bucketNameProblem(name string) string {
	switch {
	case name == ReservedBucket:
		return "is reserved by storaged"
	case len(name) < 3 || len(name) > 63:
		return "must be 3 to 63 characters long"
	case strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "":
		return "may hold only lowercase letters, digits, hyphens and dots"
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return "must start and end with a letter or digit"
	case strings.Contains(name, ".."):
		return "must not hold two adjacent dots"
	case net.ParseIP(name) != nil:
		return "must not be formatted as an IP address"
	}
	// AWS reserves these for its own features; refusing them keeps names
	// portable to and from AWS S3.
	reservedPrefixes := [...]string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffixes := [...]string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return "must not start with " + p
		}
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			return "must not end with " + s
		}
	}
	return ""
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// checkKey accepts any non-empty UTF-8 key of at most MaxKeyLength bytes.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", ErrInvalidObjectName)
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: %d bytes", ErrKeyTooLong, len(key))
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: key is not valid UTF-8", ErrInvalidObjectName)
	}
	return nil
}

// checkNames checks a bucket name and a key.
func checkNames(bucket, key string) error {
	if err := checkBucketName(bucket); err != nil {
		return err
	}
	return checkKey(key)
}
