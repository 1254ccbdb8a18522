package model

import (
	"crypto/x509"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// KindTier is the kind of a tenant's remote storage tier.
const KindTier = "tier"

// MaxTierPrefixLength bounds a tier's object-key prefix.
const MaxTierPrefixLength = 512

// storageClassRE is the shape of a tier's storage-class name.
var storageClassRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,31}$`)

// reservedStorageClasses are the classes storaged serves from its own
// drives; a tier cannot take their names.
var reservedStorageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY"}

// Tier is a place outside a tenant's own drives that objects of one
// storage class can be moved to: another Strata tenant's bucket, or a
// bucket on any S3 endpoint. The control plane checks that the target
// answers; moving objects there is not built yet.
type Tier struct {
	Metadata Metadata   `json:"metadata"`
	Spec     TierSpec   `json:"spec"`
	Status   TierStatus `json:"status"`
}

// TierSpec is what the user declares about a tier. Exactly one target,
// TenantBucket or S3, is set.
type TierSpec struct {
	// Tenant names the tenant. The server fills it in from the path; a body
	// that names another tenant is refused.
	Tenant string `json:"tenant"`
	// StorageClass is the x-amz-storage-class name the tier is used by,
	// such as COLD: an uppercase letter, then up to 31 uppercase letters,
	// digits and underscores. Unique within the tenant.
	StorageClass string `json:"storageClass"`
	// TenantBucket targets a bucket of another Strata tenant, reached with
	// that tenant's endpoint, CA and root credentials.
	TenantBucket *TierTenantBucket `json:"tenantBucket,omitempty"`
	// S3 targets a bucket on any S3 endpoint.
	S3 *TierS3 `json:"s3,omitempty"`
}

// TierTenantBucket is a tier's target on another Strata tenant.
type TierTenantBucket struct {
	Tenant string `json:"tenant"`
	Bucket string `json:"bucket"`
}

// TierS3 is a tier's target on any S3 endpoint.
type TierS3 struct {
	// Endpoint is the https URL of the S3 service.
	Endpoint string `json:"endpoint"`
	Bucket   string `json:"bucket"`
	// Prefix is put before every object key the tier writes.
	Prefix string `json:"prefix,omitempty"`
	// Region signs the requests; default us-east-1.
	Region string `json:"region,omitempty"`
	// CABundle is PEM of the CAs to trust for the endpoint; empty means
	// the system's roots.
	CABundle    string `json:"caBundle,omitempty"`
	AccessKeyID string `json:"accessKeyId"`
	// SecretAccessKey is write-only: the API stores it and never returns
	// it. A write that leaves it out keeps the stored one, as long as the
	// endpoint and access key ID stay the same.
	SecretAccessKey string `json:"secretAccessKey,omitempty"`
}

// TierStatus is what the control plane observed about a tier.
type TierStatus struct {
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
	Conditions         Conditions `json:"conditions,omitempty"`
	// Reachable tells whether the target bucket answered HeadBucket with
	// the tier's credentials at the last check.
	Reachable bool `json:"reachable"`
	// LastChecked is when the control plane last recorded a check.
	LastChecked time.Time `json:"lastChecked,omitzero"`
}

// Default fills in the server-side defaults of a tier spec.
func (s *TierSpec) Default() {
	if s.S3 != nil && s.S3.Region == "" {
		s.S3.Region = DefaultRegion
	}
}

// Validate checks a tier spec and returns every violation. A missing
// secret access key is not one: whether the stored one may stand in is
// the API's to decide.
func (s *TierSpec) Validate() Violations {
	var v Violations
	validateTenantField(&v, s.Tenant, "tier")
	ValidateStorageClass(&v, "spec.storageClass", s.StorageClass)
	switch {
	case s.TenantBucket == nil && s.S3 == nil:
		v.Add("spec", "a target is required: set tenantBucket or s3")
	case s.TenantBucket != nil && s.S3 != nil:
		v.Add("spec", "has two targets: set tenantBucket or s3, not both")
	case s.TenantBucket != nil:
		s.TenantBucket.validate(&v, s.Tenant)
	default:
		s.S3.validate(&v)
	}
	return v
}

// ValidateStorageClass checks a tier's storage-class name.
func ValidateStorageClass(v *Violations, field, class string) {
	switch {
	case class == "":
		v.Add(field, "is required: the storage class the tier is used by, such as COLD")
	case !storageClassRE.MatchString(class):
		v.Add(field, "%q is not a valid storage class: use an uppercase letter, then up "+
			"to 31 uppercase letters, digits and underscores, such as COLD", class)
	case isReservedStorageClass(class):
		v.Add(field, "%q is served by the tenant's own drives: choose another name, "+
			"such as COLD", class)
	}
}

func isReservedStorageClass(class string) bool {
	for _, r := range reservedStorageClasses {
		if class == r {
			return true
		}
	}
	return false
}

func (tb *TierTenantBucket) validate(v *Violations, owner string) {
	const f = "spec.tenantBucket."
	switch {
	case tb.Tenant == "":
		v.Add(f+"tenant", "is required: name the tenant that holds the target bucket")
	case tb.Tenant == owner:
		v.Add(f+"tenant", "%q is the tier's own tenant: a tier moves objects to "+
			"another tenant, so name a different one", tb.Tenant)
	default:
		ValidateName(v, f+"tenant", tb.Tenant)
	}
	validateTargetBucket(v, f+"bucket", tb.Bucket)
}

func (t *TierS3) validate(v *Violations) {
	const f = "spec.s3."
	validateEndpoint(v, f+"endpoint", t.Endpoint)
	validateTargetBucket(v, f+"bucket", t.Bucket)
	if strings.HasPrefix(t.Prefix, "/") {
		v.Add(f+"prefix", "%q starts with a slash: object keys do not; leave it out", t.Prefix)
	}
	if len(t.Prefix) > MaxTierPrefixLength {
		v.Add(f+"prefix", "is %d bytes long: use at most %d", len(t.Prefix),
			MaxTierPrefixLength)
	}
	if !regionRE.MatchString(t.Region) {
		v.Add(f+"region", "%q is not a valid region: use lowercase letters, digits and "+
			"hyphens, such as us-east-1", t.Region)
	}
	if t.CABundle != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(t.CABundle)) {
		v.Add(f+"caBundle", "holds no PEM certificate: give the PEM of the CA that "+
			"signed the endpoint's certificate, or leave it out to use the system's roots")
	}
	if t.AccessKeyID == "" {
		v.Add(f+"accessKeyId", "is required: the access key ID of the credentials "+
			"that reach the bucket")
	}
}

func validateTargetBucket(v *Violations, field, bucket string) {
	if bucket == "" {
		v.Add(field, "is required: name the target bucket")
		return
	}
	ValidateBucketName(v, field, bucket)
}

// validateEndpoint checks an S3 endpoint: an https URL of a host, with no
// credentials, query or fragment.
func validateEndpoint(v *Violations, field, endpoint string) {
	if endpoint == "" {
		v.Add(field, "is required: the https URL of the S3 service, such as "+
			"https://s3.eu-west-1.amazonaws.com")
		return
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		v.Add(field, "%q is not an https URL of a host, such as "+
			"https://s3.eu-west-1.amazonaws.com: the tier sends credentials, so only "+
			"https is accepted", endpoint)
	}
}
