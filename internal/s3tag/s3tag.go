// Package s3tag holds S3's rule for the text of tag keys and values, so
// that storaged (which refuses a bad tag with InvalidTag) and the control
// plane (which refuses it when a bucket's tags are declared, before
// anything is applied) agree on it.
package s3tag

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Allowed says, for messages, what ValidText accepts.
const Allowed = "letters, digits, spaces and + - = . _ : / @"

// ValidText reports whether s holds only what S3 allows in a tag key or
// value: letters, digits and white space in any script, and + - = . _ : / @.
func ValidText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) &&
			!strings.ContainsRune("+-=._:/@", r) {
			return false
		}
	}
	return true
}
