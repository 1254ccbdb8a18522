package policy

import (
	"errors"
	"fmt"
	"strings"
)

// actions are the S3 actions that Strata serves, the only ones a policy
// may name (directly or through a wildcard).
var actions = [...]string{
	"s3:AbortMultipartUpload",
	"s3:BypassGovernanceRetention",
	"s3:CreateBucket",
	"s3:DeleteBucket",
	"s3:DeleteBucketPolicy",
	"s3:DeleteObject",
	"s3:DeleteObjectTagging",
	"s3:DeleteObjectVersion",
	"s3:DeleteObjectVersionTagging",
	"s3:GetBucketCORS",
	"s3:GetBucketLocation",
	"s3:GetBucketObjectLockConfiguration",
	"s3:GetBucketPolicy",
	"s3:GetBucketPolicyStatus",
	"s3:GetBucketTagging",
	"s3:GetBucketVersioning",
	"s3:GetLifecycleConfiguration",
	"s3:GetObject",
	"s3:GetObjectAttributes",
	"s3:GetObjectLegalHold",
	"s3:GetObjectRetention",
	"s3:GetObjectTagging",
	"s3:GetObjectVersion",
	"s3:GetObjectVersionAttributes",
	"s3:GetObjectVersionTagging",
	"s3:ListAllMyBuckets",
	"s3:ListBucket",
	"s3:ListBucketMultipartUploads",
	"s3:ListBucketVersions",
	"s3:ListMultipartUploadParts",
	"s3:PutBucketCORS",
	"s3:PutBucketObjectLockConfiguration",
	"s3:PutBucketPolicy",
	"s3:PutBucketTagging",
	"s3:PutBucketVersioning",
	"s3:PutLifecycleConfiguration",
	"s3:PutObject",
	"s3:PutObjectLegalHold",
	"s3:PutObjectRetention",
	"s3:PutObjectTagging",
	"s3:PutObjectVersionTagging",
}

// Actions returns the S3 actions a policy may name, in name order. The
// caller owns the returned slice.
func Actions() []string {
	out := make([]string, len(actions))
	copy(out, actions[:])
	return out
}

// checkAction accepts "*", a known action, or a wildcard pattern that
// matches at least one known action, all without regard to case.
func checkAction(v string) error {
	if v == "*" {
		return nil
	}
	service, _, ok := strings.Cut(v, ":")
	if !ok || !strings.EqualFold(service, "s3") {
		return fmt.Errorf("unknown action %q: only s3:* actions are supported", v)
	}
	g := literalGlob(v)
	for _, a := range actions {
		if g.match(a, true) {
			return nil
		}
	}
	return fmt.Errorf("unknown action %q: Strata serves none by that name", v)
}

// s3ARNPrefix starts every S3 resource ARN.
const s3ARNPrefix = "arn:aws:s3:::"

// checkResource accepts "*" or an S3 ARN with a non-empty resource part.
func checkResource(v string) error {
	if v == "*" {
		return nil
	}
	if !strings.HasPrefix(v, s3ARNPrefix) || len(v) == len(s3ARNPrefix) {
		return fmt.Errorf("%q is not an S3 resource ARN such as %sbucket/key", v, s3ARNPrefix)
	}
	return checkVariables(v)
}

// validPrincipalARN reports whether v looks like an IAM or STS ARN:
// arn:partition:iam-or-sts::account:resource.
func validPrincipalARN(v string) bool {
	parts := strings.SplitN(v, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" &&
		(parts[2] == "iam" || parts[2] == "sts") && parts[5] != ""
}

// errBadVariable is checkVariables' refusal of an unterminated ${.
var errBadVariable = errors.New("a policy variable ${ is not closed with }")

// checkVariables refuses a value with an unterminated ${.
func checkVariables(v string) error {
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return nil
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			return fmt.Errorf("%q: %w", v, errBadVariable)
		}
		v = v[i+j+1:]
	}
}
