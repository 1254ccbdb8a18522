package s3api

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/object"
)

// MaxClockSkew is how far a request's signing time may be from the server's
// clock before it is refused with RequestTimeTooSkewed, as in AWS.
const MaxClockSkew = 15 * time.Minute

// Credentials is one S3 access key pair.
type Credentials struct {
	// AccessKeyID names the key in the Credential of a signature.
	AccessKeyID string
	// SecretAccessKey signs requests. It is never logged or returned.
	SecretAccessKey string
}

// Config is what New needs to serve S3. Call Validate, or let New do it.
type Config struct {
	// Region is the only region this endpoint answers for, e.g. us-east-1.
	Region string
	// Credentials is the root key pair that may sign requests. It is the
	// owner of every bucket: policies do not restrict it.
	Credentials Credentials
	// Keys, when set, holds further access keys, each limited by its
	// identity policy and by bucket policies (see KeyStore). Nil means
	// the root key is the only key.
	Keys KeyStore
	// Layer stores buckets and objects.
	Layer object.Layer
	// Logger receives one debug line per request and errors that need a
	// person. Nil means no logging.
	Logger hclog.Logger
	// Now returns the current time; nil means time.Now. Tests set it to
	// check clock skew.
	Now func() time.Time
	// Domains are the DNS names under which buckets are addressed
	// virtual-hosted style: a Host of <bucket>.<domain> names the bucket.
	// Empty means path-style addressing only. See ValidateDomain.
	Domains []string
	// Audit, when set, gets one record per answered request, admin calls
	// included, health checks and metrics scrapes not. Nil means no audit.
	Audit Auditor
}

// Validate reports every problem with the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if err := ValidateRegion(c.Region); err != nil {
		errs = append(errs, err)
	}
	if err := c.Credentials.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Layer == nil {
		errs = append(errs,
			errors.New("s3api: config: Layer is nil; pass the object layer to serve"))
	}
	if err := validateDomains(c.Domains); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ValidateRegion checks that region is a non-empty name of a-z, 0-9 and
// '-', the shape of AWS region names.
func ValidateRegion(region string) error {
	if region == "" {
		return errors.New("s3api: config: Region is empty; set it, e.g. us-east-1")
	}
	for _, c := range region {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("s3api: config: Region %q may hold only a-z, 0-9 and '-'", region)
		}
	}
	return nil
}

// Validate checks that the key pair can sign SigV4 requests: an access
// key ID of 3 to 128 characters without '/', ',', '=' or spaces, and a
// secret of 8 to 128 characters.
func (c Credentials) Validate() error {
	var errs []error
	if n := len(c.AccessKeyID); n < 3 || n > 128 {
		errs = append(errs, fmt.Errorf(
			"s3api: config: access key ID is %d characters; it must be 3 to 128", n))
	}
	if strings.ContainsAny(c.AccessKeyID, "/,= \t\r\n") {
		errs = append(errs, errors.New(
			"s3api: config: access key ID must not contain '/', ',', '=' or spaces"))
	}
	if n := len(c.SecretAccessKey); n < 8 || n > 128 {
		errs = append(errs, fmt.Errorf(
			"s3api: config: secret access key is %d characters; it must be 8 to 128", n))
	}
	return errors.Join(errs...)
}
