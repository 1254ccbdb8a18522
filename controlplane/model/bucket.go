package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/strata-storage/strata/internal/s3tag"
)

// Versioning states of a bucket, as S3 names them.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// TagCharacters says which characters tag keys and values may hold.
const TagCharacters = s3tag.Allowed

// Limits of a bucket's tags, as S3 sets them.
const (
	MaxBucketTags      = 50
	MaxTagKeyLength    = 128
	MaxTagValueLength  = 256
	ReservedTagPrefix  = "aws:"
	MaxBucketPolicyLen = 20 << 10
)

// Messages for the parts of bucket settings whose storage side is not
// built yet. The API refuses each with its message (422), and the
// provider's plan-time validators give the same words.
const (
	NotBuiltEncryption = "default encryption is not built yet: it needs server-side " +
		"encryption (SSE-S3, SSE-KMS) in storaged, which is not built; leave it out"
	NotBuiltTransition = "lifecycle transitions are not built yet: storaged expires " +
		"objects but cannot move them to a tier (tiering is later work); use expireDays " +
		"and leave transitionDays and transitionTier out"
)

// Messages of the object lock rules that depend on the bucket's other
// settings or its history. The API refuses each with 422, and the
// provider gives the same words at plan time.
const (
	ObjectLockNeedsVersioning = "needs versioning Enabled: S3 keeps retention per " +
		"object version, so set versioning to Enabled with object lock"
	ObjectLockCannotBeRemoved = "cannot be removed once declared: S3 never takes object " +
		"lock off a bucket; keep it (its mode and period may change)"
)

// Object lock retention modes, as S3 names them.
const (
	LockGovernance = "GOVERNANCE"
	LockCompliance = "COMPLIANCE"
)

// Limits of bucket settings, as storaged and S3 set them.
const (
	MaxLockDays          = 36500
	MaxLockYears         = 100
	MaxLifecycleRules    = 1000
	MaxLifecycleIDLength = 255
	MaxLifecyclePrefix   = 1024
)

// BucketObjectLock is a bucket's S3 object lock configuration: the default
// retention of new object versions. Once declared it cannot be removed,
// and it needs versioning Enabled.
type BucketObjectLock struct {
	// Mode is GOVERNANCE or COMPLIANCE.
	Mode string `json:"mode"`
	// Days or Years is the default retention period; exactly one is set.
	Days  int `json:"days,omitempty"`
	Years int `json:"years,omitempty"`
}

// BucketEncryption is a bucket's default server-side encryption. Not built
// yet; the API refuses it.
type BucketEncryption struct {
	// Algorithm is AES256 (SSE-S3) or aws:kms (SSE-KMS).
	Algorithm string `json:"algorithm"`
	// Key names a Key of the tenant, for aws:kms.
	Key string `json:"key,omitempty"`
}

// BucketQuota limits a bucket's size, its number of objects or both; at
// least one limit is set.
type BucketQuota struct {
	// MaxSize is the most bytes the bucket may hold, such as "100Gi"; a
	// write that would pass it is refused (403).
	MaxSize string `json:"maxSize,omitempty"`
	// MaxObjects is the most objects the bucket may hold; a write that
	// would add one more is refused (403). Every version of an object
	// counts, delete markers do not: the limit bounds what the bucket
	// stores, history included. Replacing the object of a key in a bucket
	// that never had versioning adds none.
	MaxObjects int64 `json:"maxObjects,omitempty"`
}

// BucketLifecycleRule expires the objects under a prefix some days after
// they were written. Moving them to a tier is not built yet; the API
// refuses the transition fields.
type BucketLifecycleRule struct {
	// ID names the rule, unique within the bucket.
	ID string `json:"id"`
	// Prefix selects the objects the rule applies to; empty means all.
	Prefix string `json:"prefix,omitempty"`
	// ExpireDays deletes objects this many days after they were written.
	ExpireDays int `json:"expireDays,omitempty"`
	// TransitionDays and TransitionTier move objects to the tenant's Tier
	// of that name this many days after they were written. Not built yet.
	TransitionDays int    `json:"transitionDays,omitempty"`
	TransitionTier string `json:"transitionTier,omitempty"`
}

// validateSettings checks the bucket settings that storaged serves:
// versioning, tags, policy, object lock, quota and lifecycle.
func (s *BucketSpec) validateSettings(v *Violations) {
	ValidateVersioning(v, "spec.versioning", s.Versioning)
	ValidateBucketTags(v, "spec.tags", s.Tags)
	if s.Policy != "" {
		ValidateBucketPolicy(v, "spec.policy", s.Policy)
	}
	if s.ObjectLock != nil {
		ValidateObjectLock(v, "spec.objectLock", *s.ObjectLock)
	}
	if s.Quota != nil {
		ValidateQuota(v, "spec.quota", *s.Quota)
	}
	ValidateLifecycle(v, "spec.lifecycle", s.Lifecycle)
}

// ValidateVersioning checks a declared versioning state: "" (not
// declared), Enabled or Suspended.
func ValidateVersioning(v *Violations, field, state string) {
	switch state {
	case "", VersioningEnabled, VersioningSuspended:
	default:
		v.Add(field, "%q is not a versioning state: use Enabled or Suspended (the words "+
			"are case-sensitive, as in S3)", state)
	}
}

// ValidateVersioningChange checks a change of a bucket's declared
// versioning: once declared, it cannot go back to "".
func ValidateVersioningChange(v *Violations, field, old, state string) {
	if old != "" && state == "" {
		v.Add(field, "cannot go back to unset from %q: S3 cannot return a bucket to "+
			"never having had versioning; set Suspended to stop keeping new versions",
			old)
	}
}

// ValidateBucketTags checks a bucket's tags against S3's limits: at most
// 50 tags, keys of 1 to 128 characters that do not start with "aws:",
// values of at most 256 characters, all valid UTF-8.
func ValidateBucketTags(v *Violations, field string, tags map[string]string) {
	if len(tags) > MaxBucketTags {
		v.Add(field, "has %d tags: S3 allows at most %d on a bucket", len(tags),
			MaxBucketTags)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		ValidateTag(v, fmt.Sprintf("%s[%q]", field, k), k, tags[k])
	}
}

// ValidateTag checks one tag's key and value against S3's limits.
func ValidateTag(v *Violations, field, key, value string) {
	n := utf8.RuneCountInString(key)
	switch {
	case !utf8.ValidString(key) || !utf8.ValidString(value):
		v.Add(field, "is not valid UTF-8: tags are text")
	case n == 0:
		v.Add(field, "has an empty key: use 1 to %d characters", MaxTagKeyLength)
	case n > MaxTagKeyLength:
		v.Add(field, "key is %d characters long: use at most %d", n, MaxTagKeyLength)
	case strings.HasPrefix(strings.ToLower(key), ReservedTagPrefix):
		v.Add(field, "key %q starts with %q, which AWS reserves for its own tags: "+
			"choose another key", key, ReservedTagPrefix)
	case !s3tag.ValidText(key):
		v.Add(field, "key %q holds characters S3 refuses in tags: use %s", key, s3tag.Allowed)
	}
	if m := utf8.RuneCountInString(value); m > MaxTagValueLength {
		v.Add(field, "value is %d characters long: use at most %d", m, MaxTagValueLength)
	} else if utf8.ValidString(value) && !s3tag.ValidText(value) {
		v.Add(field, "value %q holds characters S3 refuses in tags: use %s", value,
			s3tag.Allowed)
	}
}

// NotBuilt returns a violation for every setting of s whose storage side
// is not built yet, with the message that says what is missing. The API
// answers them 422.
func (s *BucketSpec) NotBuilt() Violations {
	var v Violations
	if s.Encryption != nil {
		v.Add("spec.encryption", NotBuiltEncryption)
	}
	for i, r := range s.Lifecycle {
		if r.TransitionDays != 0 || r.TransitionTier != "" {
			v.Add(fmt.Sprintf("spec.lifecycle[%d]", i), NotBuiltTransition)
		}
	}
	return v
}
