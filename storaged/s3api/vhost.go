package s3api

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
)

// maxDomainLength is the longest DNS name, as RFC 1035 counts it in text.
const maxDomainLength = 253

// ValidateDomain checks that d can be the domain of virtual-hosted-style
// requests: a lowercase DNS name of labels of 1 to 63 letters, digits and
// '-' (not at either end), at least two labels, no trailing dot and no
// port.
func ValidateDomain(d string) error {
	if d == "" || len(d) > maxDomainLength {
		return fmt.Errorf("s3api: config: domain %.80q must be 1 to %d characters", d,
			maxDomainLength)
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return fmt.Errorf("s3api: config: domain %q needs at least two labels, "+
			"e.g. s3.example.com", d)
	}
	for _, l := range labels {
		if !validDomainLabel(l) {
			return fmt.Errorf("s3api: config: domain %.80q has the label %.80q; a label is "+
				"1 to 63 of a-z, 0-9 and '-', not starting or ending with '-'", d, l)
		}
	}
	return nil
}

// validDomainLabel reports whether l is a lowercase DNS label.
func validDomainLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validateDomains checks every domain and refuses duplicates.
func validateDomains(domains []string) error {
	var errs []error
	seen := make(map[string]bool, len(domains))
	for _, d := range domains {
		if err := ValidateDomain(d); err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[d] {
			errs = append(errs, fmt.Errorf("s3api: config: domain %q is given twice", d))
		}
		seen[d] = true
	}
	return errors.Join(errs...)
}

// longestFirst returns a copy of domains ordered so that a domain is
// tried before any domain it ends with.
func longestFirst(domains []string) []string {
	out := append([]string(nil), domains...)
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// virtualBucket returns the bucket a Host of the form <bucket>.<domain>
// names, trying longer domains first. A Host equal to any domain, or
// under none, names no bucket.
func (h *Handler) virtualBucket(host string) (string, bool) {
	if len(h.domains) == 0 {
		return "", false
	}
	if name, _, err := net.SplitHostPort(host); err == nil {
		host = name
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if slices.Contains(h.domains, host) {
		return "", false
	}
	for _, d := range h.domains {
		if bucket, ok := strings.CutSuffix(host, "."+d); ok && bucket != "" {
			return bucket, true
		}
	}
	return "", false
}

// addressVirtualHost re-splits a request whose Host names a bucket: the
// bucket comes from the Host and the whole path is the key. The signature
// is still checked over the path as sent.
func (h *Handler) addressVirtualHost(req *request) {
	bucket, ok := h.virtualBucket(req.r.Host)
	if !ok {
		return
	}
	req.bucket = bucket
	req.key = strings.TrimPrefix(req.r.URL.Path, "/")
}
