package policy

import "strings"

// ResourcesOutside returns the resources and not-resources of p's
// statements that could name something other than bucket or the objects in
// it, in the order the policy names them. A bucket policy may speak only of
// its own bucket; storaged refuses the others on PutBucketPolicy, and the
// control plane refuses them when a bucket's policy is declared.
func (p *Policy) ResourcesOutside(bucket string) []string {
	var out []string
	for _, s := range p.Statements {
		for _, r := range append(append([]string(nil), s.Resources...), s.NotResources...) {
			if !resourceInBucket(r, bucket) {
				out = append(out, r)
			}
		}
	}
	return out
}

// resourceInBucket reports whether a resource pattern may name the bucket
// or objects in it: its text before the first wildcard or variable must
// agree with "arn:aws:s3:::bucket/".
func resourceInBucket(pattern, bucket string) bool {
	prefix := pattern
	if i := strings.IndexAny(pattern, "*?$"); i >= 0 {
		prefix = pattern[:i]
	}
	own := "arn:aws:s3:::" + bucket + "/"
	if prefix == pattern {
		return pattern == own[:len(own)-1] || strings.HasPrefix(pattern, own)
	}
	return strings.HasPrefix(own, prefix) || strings.HasPrefix(prefix, own)
}
