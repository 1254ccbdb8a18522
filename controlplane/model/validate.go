package model

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultRegion is the S3 region a tenant answers for unless it sets one.
const DefaultRegion = "us-east-1"

// ReservedBucketName is refused as a bucket name: storaged serves its
// health endpoints under that path.
const ReservedBucketName = "strata"

// FieldViolation names one invalid field by its JSON path, such as
// "spec.pools[0].servers", and says what is wrong with it.
type FieldViolation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

// Violations collects every problem of a request, so that a user sees them
// all at once.
type Violations []FieldViolation

// Add records a violation of field.
func (v *Violations) Add(field, format string, args ...any) {
	*v = append(*v, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Error joins the violations into one line.
func (v Violations) Error() string {
	parts := make([]string, len(v))
	for i, f := range v {
		parts[i] = f.Field + ": " + f.Description
	}
	return strings.Join(parts, "; ")
}

var (
	labelRE  = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	bucketRE = regexp.MustCompile(`^[a-z0-9][-a-z0-9.]{1,61}[a-z0-9]$`)
	regionRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$`)
	sizeRE   = regexp.MustCompile(`^([0-9]+)(Ki|Mi|Gi|Ti|K|M|G|T)?$`)
)

// ValidateName checks a cluster, tenant or pool name: 1 to 63 lowercase
// letters, digits and hyphens, starting with a letter and not ending with a
// hyphen (an RFC 1123 label that is also a safe directory name).
func ValidateName(v *Violations, field, name string) {
	if !labelRE.MatchString(name) {
		v.Add(field, "%q is not a valid name: use 1 to 63 lowercase letters, digits "+
			"and hyphens, starting with a letter and ending with a letter or digit", name)
	}
}

// ValidateBucketName checks a bucket name against the S3 naming rules.
func ValidateBucketName(v *Violations, field, name string) {
	switch {
	case !bucketRE.MatchString(name):
		v.Add(field, "%q is not a valid bucket name: use 3 to 63 lowercase letters, digits, "+
			"hyphens and dots, starting and ending with a letter or digit", name)
	case strings.Contains(name, ".."):
		v.Add(field, "%q is not a valid bucket name: it must not contain two dots in a row", name)
	case isIPv4(name):
		v.Add(field, "%q is not a valid bucket name: it must not look like an IP address", name)
	case name == ReservedBucketName:
		v.Add(field, "%q is reserved for storaged's health endpoints; choose another name", name)
	default:
		if affix := reservedAffix(name); affix != "" {
			v.Add(field, "%q is not a valid bucket name: S3 reserves names with %q", name, affix)
		}
	}
}

// reservedAffix returns the prefix or suffix that S3 reserves and name
// has, or "".
func reservedAffix(name string) string {
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return s
		}
	}
	return ""
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// ParseSize parses a drive size such as "512Mi", "10Gi" or "1T" into bytes.
func ParseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("model: size %q: want a whole number with an optional unit "+
			"Ki, Mi, Gi, Ti (powers of 1024) or K, M, G, T (powers of 1000), such as 10Gi", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("model: size %q: %w", s, err)
	}
	mult := map[string]int64{"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
		"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40}[m[2]]
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("model: size %q is too large", s)
	}
	return n * mult, nil
}

// DefaultParity returns the parity used for an erasure set of n drives when
// the tenant does not set one: 2 up to 5 drives, 3 for 6 or 7, 4 from 8,
// and half the drives (rounded down) for sets of 2 or 3.
func DefaultParity(n int) int {
	switch {
	case n <= 3:
		return n / 2
	case n <= 5:
		return 2
	case n <= 7:
		return 3
	default:
		return 4
	}
}

// Limits of a resource's labels: enough for any bookkeeping, small enough
// that labels cannot fill the state store.
const (
	MaxLabels           = 64
	MaxLabelKeyLength   = 128
	MaxLabelValueLength = 256
)

// ValidateLabels checks a resource's labels against the limits above:
// every violation at the label's own path.
func ValidateLabels(v *Violations, field string, labels map[string]string) {
	if len(labels) > MaxLabels {
		v.Add(field, "has %d labels: use at most %d", len(labels), MaxLabels)
	}
	for k, val := range labels {
		path := fmt.Sprintf("%s[%q]", field, k)
		switch n := utf8.RuneCountInString(k); {
		case n == 0:
			v.Add(path, "has an empty key: use 1 to %d characters", MaxLabelKeyLength)
		case n > MaxLabelKeyLength:
			v.Add(path, "the key is %d characters long: use at most %d", n, MaxLabelKeyLength)
		}
		if m := utf8.RuneCountInString(val); m > MaxLabelValueLength {
			v.Add(path, "the value is %d characters long: use at most %d", m,
				MaxLabelValueLength)
		}
	}
}
