package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"

	"github.com/strata-storage/strata/internal/policy"
)

// ValidateBucketPolicy checks a bucket policy with storaged's own grammar
// (policy.ParseBucket): at most 20 KiB, a JSON IAM policy document whose
// statements each name a principal, using only the S3 actions Strata
// serves. Every problem is one violation, with its JSON path.
func ValidateBucketPolicy(v *Violations, field, doc string) {
	if len(doc) > MaxBucketPolicyLen {
		v.Add(field, "is %d bytes long: S3 allows at most %d", len(doc), MaxBucketPolicyLen)
		return
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(doc), &obj); err != nil {
		v.Add(field, "is not a JSON object: %v; give an IAM policy document such as "+
			`{"Version": "2012-10-17", "Statement": [...]}`, err)
		return
	}
	_, err := policy.ParseBucket([]byte(doc))
	var pe *policy.ParseError
	switch {
	case errors.As(err, &pe):
		for _, p := range pe.Problems {
			v.Add(policyField(field, p.Path), "%s", p.Message)
		}
	case err != nil:
		v.Add(field, "%v", err)
	}
}

// policyField is the violation path of a problem at path inside a policy.
func policyField(field, path string) string {
	if path == "" {
		return field
	}
	return field + "." + path
}

// ValidatePolicyResources checks that every resource a valid bucket
// policy names lies in the bucket, as storaged demands: the bucket's ARN,
// or an object ARN under it (policy.ResourcesOutside, storaged's rule).
func ValidatePolicyResources(v *Violations, field, doc, bucket string) {
	p, err := policy.ParseBucket([]byte(doc))
	if err != nil {
		return // ValidateBucketPolicy reports it
	}
	for _, r := range p.ResourcesOutside(bucket) {
		v.Add(field, "names resource %q, which is not in bucket %s: use "+
			"arn:aws:s3:::%[2]s or arn:aws:s3:::%[2]s/<key pattern>", r, bucket)
	}
}

// PoliciesEqual reports whether two policy documents are the same JSON
// value, whatever their white space and key order. Documents that are not
// JSON are equal only when their bytes are.
func PoliciesEqual(a, b string) bool {
	if a == b {
		return true
	}
	va, errA := decodeJSON(a)
	vb, errB := decodeJSON(b)
	if errA != nil || errB != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// decodeJSON parses one JSON value, keeping numbers as written.
func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
