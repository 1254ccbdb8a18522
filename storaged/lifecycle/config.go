package lifecycle

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/xml"
	"errors"
	"fmt"
	"time"
)

// Limits of a configuration, as in S3.
const (
	// MaxRules is the most rules a configuration may hold.
	MaxRules = 1000
	// maxIDLength is the longest rule ID.
	maxIDLength = 255
	// maxNewerNoncurrent is the most noncurrent versions a rule may keep.
	maxNewerNoncurrent = 100
	// maxTagKey and maxTagValue bound a filter's tag, in bytes.
	maxTagKey, maxTagValue = 128, 256
)

// Rule states.
const (
	StatusEnabled  = "Enabled"
	StatusDisabled = "Disabled"
)

// xmlNamespace is the S3 namespace of the document.
const xmlNamespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Error is a configuration that S3 would refuse. Code is the S3 error code
// (MalformedXML, InvalidArgument or NotImplemented) and Message says what
// is wrong in words a person can act on.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "lifecycle: " + e.Code + ": " + e.Message }

// errorf builds an *Error.
func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Configuration is a LifecycleConfiguration document.
type Configuration struct {
	XMLName xml.Name `xml:"LifecycleConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []Rule   `xml:"Rule"`
}

// Rule is one lifecycle rule: which objects (Filter, or the older Prefix)
// and what happens to them.
type Rule struct {
	ID     string  `xml:"ID,omitempty"`
	Prefix *string `xml:"Prefix"`
	Filter *Filter `xml:"Filter"`
	Status string  `xml:"Status"`

	// What happens to the objects the rule selects.
	Expiration                  *Expiration                  `xml:"Expiration"`
	NoncurrentVersionExpiration *NoncurrentVersionExpiration `xml:"NoncurrentVersionExpiration"`

	// AbortIncomplete aborts uploads left unfinished.
	AbortIncomplete *AbortIncompleteMultipartUpload `xml:"AbortIncompleteMultipartUpload"`
	// Transitions are parsed only to be refused.
	Transitions           []ignored `xml:"Transition,omitempty"`
	NoncurrentTransitions []ignored `xml:"NoncurrentVersionTransition,omitempty"`
}

// ignored is an element whose content is not read.
type ignored struct{}

// Filter selects the objects of a rule. It holds at most one of its
// fields; an empty Filter selects every object.
type Filter struct {
	Prefix                *string `xml:"Prefix"`
	Tag                   *Tag    `xml:"Tag"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan"`
	And                   *And    `xml:"And"`
}

// And joins a filter's conditions: every one must hold.
type And struct {
	Prefix                *string `xml:"Prefix"`
	Tags                  []Tag   `xml:"Tag"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan"`
}

// Tag is one tag a filter requires.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// Expiration expires current versions after Days or on Date, or removes
// delete markers that have no versions left (ExpiredObjectDeleteMarker).
type Expiration struct {
	Days                      *int    `xml:"Days"`
	Date                      *string `xml:"Date"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

// NoncurrentVersionExpiration removes versions NoncurrentDays after they
// stopped being current, beyond the NewerNoncurrentVersions newest ones.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions"`
}

// AbortIncompleteMultipartUpload aborts uploads DaysAfterInitiation after
// they started.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation *int `xml:"DaysAfterInitiation"`
}

// Parse decodes and checks a LifecycleConfiguration as S3 does, and gives
// every rule without an ID a random one. The error is an *Error.
func Parse(doc []byte) (*Configuration, error) {
	var c Configuration
	if err := xml.Unmarshal(bytes.TrimSpace(doc), &c); err != nil {
		return nil, errorf("MalformedXML", "The lifecycle configuration is not well-formed "+
			"XML: %v", err)
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	for i := range c.Rules {
		if c.Rules[i].ID == "" {
			c.Rules[i].ID = newRuleID()
		}
	}
	c.Xmlns = xmlNamespace
	return &c, nil
}

// Marshal encodes the configuration as the document S3 returns.
func (c *Configuration) Marshal() ([]byte, error) {
	out := *c
	out.Xmlns = xmlNamespace
	b, err := xml.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: encoding the configuration: %w", err)
	}
	return b, nil
}

// check applies S3's rules to the whole configuration.
func (c *Configuration) check() error {
	if n := len(c.Rules); n == 0 || n > MaxRules {
		return errorf("MalformedXML", "A lifecycle configuration holds 1 to %d Rule "+
			"elements; this one holds %d.", MaxRules, n)
	}
	ids := map[string]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		if err := r.check(); err != nil {
			return err
		}
		if r.ID != "" && ids[r.ID] {
			return errorf("InvalidArgument", "Rule ID %.80q is used more than once; "+
				"each rule needs its own ID.", r.ID)
		}
		ids[r.ID] = true
	}
	return nil
}

// check applies S3's rules to one rule.
func (r *Rule) check() error {
	switch {
	case len(r.ID) > maxIDLength:
		return errorf("InvalidArgument", "A rule ID may be at most %d characters.", maxIDLength)
	case r.Status != StatusEnabled && r.Status != StatusDisabled:
		return errorf("MalformedXML", "Rule %.80q: Status must be Enabled or Disabled, "+
			"not %.40q.", r.ID, r.Status)
	case len(r.Transitions) > 0 || len(r.NoncurrentTransitions) > 0:
		return errorf("NotImplemented", "Rule %.80q: Transition and "+
			"NoncurrentVersionTransition move objects to another tier; tiering is not "+
			"implemented by Strata yet.", r.ID)
	case r.Expiration == nil && r.NoncurrentVersionExpiration == nil &&
		r.AbortIncomplete == nil:
		return errorf("InvalidArgument", "Rule %.80q: at least one action needs to be "+
			"specified in a rule (Expiration, NoncurrentVersionExpiration or "+
			"AbortIncompleteMultipartUpload).", r.ID)
	}
	if err := r.checkFilter(); err != nil {
		return err
	}
	return r.checkActions()
}

// checkFilter checks that the rule names its objects one way: a Filter or
// the older Prefix.
func (r *Rule) checkFilter() error {
	switch {
	case r.Filter != nil && r.Prefix != nil:
		return errorf("MalformedXML", "Rule %.80q has both Filter and Prefix; use Filter.",
			r.ID)
	case r.Filter == nil && r.Prefix == nil:
		return errorf("MalformedXML", "Rule %.80q needs a Filter (an empty one selects "+
			"every object).", r.ID)
	case r.Filter == nil:
		return nil
	}
	return r.Filter.check(r.ID)
}

// check checks that the filter holds at most one condition, and each one.
func (f *Filter) check(id string) error {
	n := 0
	for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.ObjectSizeGreaterThan != nil,
		f.ObjectSizeLessThan != nil, f.And != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errorf("MalformedXML", "Rule %.80q: a Filter holds one of Prefix, Tag, "+
			"ObjectSizeGreaterThan, ObjectSizeLessThan or And; join several with And.", id)
	}
	var tags []Tag
	if f.Tag != nil {
		tags = []Tag{*f.Tag}
	}
	if f.And != nil {
		tags = f.And.Tags
		return checkConditions(id, tags, f.And.ObjectSizeGreaterThan, f.And.ObjectSizeLessThan)
	}
	return checkConditions(id, tags, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan)
}

// checkConditions checks a filter's tags and size bounds.
func checkConditions(id string, tags []Tag, gt, lt *int64) error {
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case t.Key == "" || len(t.Key) > maxTagKey:
			return errorf("InvalidArgument", "Rule %.80q: a tag key is 1 to %d bytes.",
				id, maxTagKey)
		case len(t.Value) > maxTagValue:
			return errorf("InvalidArgument", "Rule %.80q: a tag value is at most %d bytes.",
				id, maxTagValue)
		case seen[t.Key]:
			return errorf("InvalidArgument", "Rule %.80q: duplicate tag key %.80q.", id, t.Key)
		}
		seen[t.Key] = true
	}
	switch {
	case gt != nil && *gt < 0, lt != nil && *lt < 0:
		return errorf("InvalidArgument", "Rule %.80q: object size bounds must not be "+
			"negative.", id)
	case gt != nil && lt != nil && *gt >= *lt:
		return errorf("InvalidArgument", "Rule %.80q: ObjectSizeGreaterThan must be less "+
			"than ObjectSizeLessThan.", id)
	}
	return nil
}

// checkActions checks each action of the rule.
func (r *Rule) checkActions() error {
	if e := r.Expiration; e != nil {
		if err := e.check(r.ID, r.hasTags()); err != nil {
			return err
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if err := n.check(r.ID); err != nil {
			return err
		}
	}
	if a := r.AbortIncomplete; a != nil {
		if r.hasTags() || r.hasSizes() {
			return errorf("InvalidArgument", "Rule %.80q: AbortIncompleteMultipartUpload "+
				"cannot be specified with tags or object sizes in the filter.", r.ID)
		}
		if a.DaysAfterInitiation == nil || *a.DaysAfterInitiation <= 0 {
			return errorf("InvalidArgument", "Rule %.80q: DaysAfterInitiation must be a "+
				"positive integer.", r.ID)
		}
	}
	return nil
}

// check checks that an Expiration names one of Days, Date or
// ExpiredObjectDeleteMarker, with a valid value.
func (e *Expiration) check(id string, tags bool) error {
	n := 0
	for _, set := range []bool{e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return errorf("MalformedXML", "Rule %.80q: Expiration holds exactly one of Days, "+
			"Date or ExpiredObjectDeleteMarker.", id)
	case e.Days != nil && *e.Days <= 0:
		return errorf("InvalidArgument", "Rule %.80q: 'Days' for Expiration action must be "+
			"a positive integer.", id)
	case e.ExpiredObjectDeleteMarker != nil && tags:
		return errorf("InvalidArgument", "Rule %.80q: ExpiredObjectDeleteMarker cannot be "+
			"specified with tags in the filter.", id)
	case e.Date != nil:
		if _, err := parseDate(*e.Date); err != nil {
			return errorf("InvalidArgument", "Rule %.80q: %v", id, err)
		}
	}
	return nil
}

// check checks a NoncurrentVersionExpiration's numbers.
func (n *NoncurrentVersionExpiration) check(id string) error {
	switch {
	case n.NoncurrentDays == nil || *n.NoncurrentDays <= 0:
		return errorf("InvalidArgument", "Rule %.80q: NoncurrentDays must be a positive "+
			"integer.", id)
	case n.NewerNoncurrentVersions != nil && (*n.NewerNoncurrentVersions <= 0 ||
		*n.NewerNoncurrentVersions > maxNewerNoncurrent):
		return errorf("InvalidArgument", "Rule %.80q: NewerNoncurrentVersions must be 1 to "+
			"%d.", id, maxNewerNoncurrent)
	}
	return nil
}

// parseDate reads an Expiration Date: ISO 8601 at midnight UTC.
func parseDate(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.000Z", v)
	}
	if err != nil {
		t, err = time.Parse("2006-01-02", v)
	}
	if err != nil {
		return time.Time{}, errors.New("'Date' must be an ISO 8601 date, e.g. " +
			"2027-01-01T00:00:00Z")
	}
	t = t.UTC()
	if !t.Equal(t.Truncate(24 * time.Hour)) {
		return time.Time{}, errors.New("'Date' must be at midnight UTC")
	}
	return t, nil
}

// hasTags reports whether the rule's filter names tags.
func (r *Rule) hasTags() bool {
	f := r.Filter
	return f != nil && (f.Tag != nil || f.And != nil && len(f.And.Tags) > 0)
}

// hasSizes reports whether the rule's filter bounds object sizes.
func (r *Rule) hasSizes() bool {
	f := r.Filter
	if f == nil {
		return false
	}
	if f.And != nil {
		return f.And.ObjectSizeGreaterThan != nil || f.And.ObjectSizeLessThan != nil
	}
	return f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil
}

// newRuleID returns a random rule ID for a rule that has none, as S3 gives.
func newRuleID() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}
