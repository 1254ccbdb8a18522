package model

import (
	"bytes"
	"encoding/json"
	"regexp"
	"time"
	"unicode/utf8"
)

// KindAccessKey is the kind of a tenant's S3 access key.
const KindAccessKey = "access-key"

// Sizes of an access key pair, as AWS makes them.
const (
	// AccessKeyIDLength is the length of an access key ID: upper-case
	// letters and digits.
	AccessKeyIDLength = 20
	// SecretAccessKeyLength is the length of a secret access key.
	SecretAccessKeyLength = 40
)

// Limits of an access key's spec.
const (
	// MaxAccessKeyDescription bounds a description, in characters.
	MaxAccessKeyDescription = 256
	// MaxAccessKeyPolicy bounds a policy document, in bytes, as AWS bounds
	// an inline user policy.
	MaxAccessKeyPolicy = 6144
)

// accessKeyIDRE is the shape of an access key ID.
var accessKeyIDRE = regexp.MustCompile(`^[A-Z0-9]{20}$`)

// AccessKey is a named S3 key pair of a tenant with an IAM identity policy.
// The control plane makes the pair: the access key ID once, when the key is
// created, and a new secret each time spec.secretVersion is raised. The
// secret is answered only by the PUT that made it, in
// status.secretAccessKey; every other answer leaves it out.
//
// The control plane stores the secret itself, not a hash, because it has
// to hand it to the tenant's storage nodes, which check signatures with
// it; its store seals it, as every value, with the secrets key.
type AccessKey struct {
	Metadata Metadata        `json:"metadata"`
	Spec     AccessKeySpec   `json:"spec"`
	Status   AccessKeyStatus `json:"status"`
}

// AccessKeySpec is what the user declares about an access key.
type AccessKeySpec struct {
	// Tenant names the tenant. The server fills it in from the path; a body
	// that names another tenant is refused.
	Tenant string `json:"tenant"`
	// Description says what the key is for; at most 256 characters.
	Description string `json:"description,omitempty"`
	// Policy is the key's IAM identity policy document, as a JSON string:
	// what the key may do besides what bucket policies allow. It has no
	// Principal element.
	Policy string `json:"policy"`
	// SecretVersion makes a new secret each time it is raised; the access
	// key ID stays. It cannot be lowered.
	SecretVersion int64 `json:"secretVersion,omitempty"`
	// Disabled keeps the key but makes the storage nodes refuse it.
	Disabled bool `json:"disabled,omitempty"`
}

// AccessKeyStatus is what the control plane observed about an access key.
type AccessKeyStatus struct {
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
	Conditions         Conditions `json:"conditions,omitempty"`
	// AccessKeyID is made once, when the key is created, and never changes.
	AccessKeyID string `json:"accessKeyId,omitempty"`
	// SecretAccessKey is stored but answered only by the PUT that created
	// the key or raised its secretVersion.
	SecretAccessKey string `json:"secretAccessKey,omitempty"`
	// SecretVersion is the spec.secretVersion whose secret every storage
	// node of the tenant has.
	SecretVersion int64 `json:"secretVersion,omitempty"`
	// CreatedAt is when the key pair was made.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	// RotatedAt is when the current secret replaced an earlier one; unset
	// until the first rotation.
	RotatedAt time.Time `json:"rotatedAt,omitzero"`
}

// AccessKeyGrant is an access key as a storage node needs it: one entry of
// the access-keys file that storaged reads (--access-keys-file), in that
// file's JSON shape.
type AccessKeyGrant struct {
	Name            string          `json:"name"`
	AccessKeyID     string          `json:"accessKeyId"`
	SecretAccessKey string          `json:"secretAccessKey"`
	Policy          json.RawMessage `json:"policy"`
}

// Meta implements Object.
func (a *AccessKey) Meta() *Metadata { return &a.Metadata }

// SpecRef implements Object.
func (a *AccessKey) SpecRef() *AccessKeySpec { return &a.Spec }

// Conds implements Object.
func (a *AccessKey) Conds() *Conditions { return &a.Status.Conditions }

// ObservedGen implements Object.
func (a *AccessKey) ObservedGen() *int64 { return &a.Status.ObservedGeneration }

var _ Object[AccessKeySpec] = (*AccessKey)(nil)

// Grant returns the access key as its tenant's storage nodes need it. The
// spec's policy must be valid, as the API makes sure it is.
func (a *AccessKey) Grant() AccessKeyGrant {
	var policy bytes.Buffer
	if err := json.Compact(&policy, []byte(a.Spec.Policy)); err != nil {
		policy.Reset()
		policy.WriteString(a.Spec.Policy)
	}
	return AccessKeyGrant{
		Name:            a.Metadata.Name,
		AccessKeyID:     a.Status.AccessKeyID,
		SecretAccessKey: a.Status.SecretAccessKey,
		Policy:          policy.Bytes(),
	}
}

// Validate checks an access key spec and returns every violation. It checks
// that the policy is a JSON object; what the document says is the API's to
// check, with the policy engine the storage nodes use.
func (s *AccessKeySpec) Validate() Violations {
	var v Violations
	validateTenantField(&v, s.Tenant, "access key")
	if n := utf8.RuneCountInString(s.Description); n > MaxAccessKeyDescription {
		v.Add("spec.description", "is %d characters long: use at most %d", n,
			MaxAccessKeyDescription)
	}
	ValidatePolicyJSON(&v, "spec.policy", s.Policy)
	if s.SecretVersion < 0 {
		v.Add("spec.secretVersion", "%d is negative: use 0 or more, and raise it to "+
			"rotate the secret", s.SecretVersion)
	}
	return v
}

// ValidatePolicyJSON checks that a policy document is a JSON object of at
// most MaxAccessKeyPolicy bytes.
func ValidatePolicyJSON(v *Violations, field, doc string) {
	var obj map[string]json.RawMessage
	switch {
	case doc == "":
		v.Add(field, "is required: an IAM identity policy document as a JSON string, "+
			"such as {\"Version\":\"2012-10-17\",\"Statement\":[...]}")
	case len(doc) > MaxAccessKeyPolicy:
		v.Add(field, "is %d bytes long: use at most %d", len(doc), MaxAccessKeyPolicy)
	case json.Unmarshal([]byte(doc), &obj) != nil:
		v.Add(field, "is not a JSON object: give an IAM policy document such as "+
			"{\"Version\":\"2012-10-17\",\"Statement\":[...]}")
	}
}

// ValidAccessKeyID reports whether id has the shape of an access key ID
// that the control plane makes.
func ValidAccessKeyID(id string) bool { return accessKeyIDRE.MatchString(id) }
