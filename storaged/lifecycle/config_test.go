package lifecycle

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// wrap puts rules into a LifecycleConfiguration document.
func wrap(rules ...string) string {
	return `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		strings.Join(rules, "") + `</LifecycleConfiguration>`
}

func TestParseAcceptsWhatS3Accepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
	}{
		{"a rule expiring a prefix after days is accepted",
			wrap(`<Rule><ID>r</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>` +
				`<Expiration><Days>30</Days></Expiration></Rule>`)},
		{"an empty filter selecting every object is accepted",
			wrap(`<Rule><Filter></Filter><Status>Disabled</Status>` +
				`<Expiration><Date>2027-01-01T00:00:00Z</Date></Expiration></Rule>`)},
		{"the older rule-level prefix is accepted",
			wrap(`<Rule><Prefix>a</Prefix><Status>Enabled</Status>` +
				`<NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays>` +
				`<NewerNoncurrentVersions>2</NewerNoncurrentVersions>` +
				`</NoncurrentVersionExpiration></Rule>`)},
		{"an And of prefix, tags and sizes is accepted",
			wrap(`<Rule><Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>` +
				`<Tag><Key>k2</Key><Value></Value></Tag>` +
				`<ObjectSizeGreaterThan>1</ObjectSizeGreaterThan>` +
				`<ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>` +
				`<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)},
		{"delete markers and stale uploads together are accepted",
			wrap(`<Rule><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>` +
				`<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>` +
				`</Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7` +
				`</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatalf("Parse: got %v, want no error", err)
			}
			for _, r := range c.Rules {
				if r.ID == "" {
					t.Errorf("rule ID: got empty, want one given by Parse")
				}
			}
			doc, err := c.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			again, err := Parse(doc)
			if err != nil {
				t.Fatalf("Parse of the marshalled document: got %v, want no error", err)
			}
			if len(again.Rules) != len(c.Rules) || again.Rules[0].ID != c.Rules[0].ID {
				t.Errorf("round trip: got %+v, want %+v", again.Rules, c.Rules)
			}
		})
	}
}

func TestParseRefusesWhatS3Refuses(t *testing.T) {
	t.Parallel()
	days := `<Expiration><Days>1</Days></Expiration>`
	rule := func(body string) string {
		return wrap(`<Rule><ID>r</ID>` + body + `</Rule>`)
	}
	many := make([]string, MaxRules+1)
	for i := range many {
		many[i] = fmt.Sprintf(`<Rule><ID>r%d</ID><Filter/><Status>Enabled</Status>%s</Rule>`,
			i, days)
	}
	tests := []struct {
		name, doc, code string
	}{
		{"a document that is not XML is MalformedXML", "<Lifecycle", "MalformedXML"},
		{"a document without rules is MalformedXML", wrap(), "MalformedXML"},
		{"more than a thousand rules is MalformedXML", wrap(many...), "MalformedXML"},
		{"a status other than Enabled or Disabled is MalformedXML",
			rule(`<Filter/><Status>On</Status>` + days), "MalformedXML"},
		{"a rule without filter or prefix is MalformedXML",
			rule(`<Status>Enabled</Status>` + days), "MalformedXML"},
		{"a rule with both filter and prefix is MalformedXML",
			rule(`<Prefix>a</Prefix><Filter/><Status>Enabled</Status>` + days), "MalformedXML"},
		{"a filter with two conditions outside And is MalformedXML",
			rule(`<Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>` +
				`<Status>Enabled</Status>` + days), "MalformedXML"},
		{"a rule without action is InvalidArgument",
			rule(`<Filter/><Status>Enabled</Status>`), "InvalidArgument"},
		{"zero days is InvalidArgument",
			rule(`<Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>`),
			"InvalidArgument"},
		{"days and date together is MalformedXML",
			rule(`<Filter/><Status>Enabled</Status><Expiration><Days>1</Days>` +
				`<Date>2027-01-01T00:00:00Z</Date></Expiration>`), "MalformedXML"},
		{"a date not at midnight is InvalidArgument",
			rule(`<Filter/><Status>Enabled</Status><Expiration>` +
				`<Date>2027-01-01T10:00:00Z</Date></Expiration>`), "InvalidArgument"},
		{"a noncurrent expiration without days is InvalidArgument",
			rule(`<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration>` +
				`</NoncurrentVersionExpiration>`), "InvalidArgument"},
		{"keeping more than a hundred noncurrent versions is InvalidArgument",
			rule(`<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration>` +
				`<NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101` +
				`</NewerNoncurrentVersions></NoncurrentVersionExpiration>`), "InvalidArgument"},
		{"aborting uploads with a tag filter is InvalidArgument",
			rule(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>` +
				`<Status>Enabled</Status><AbortIncompleteMultipartUpload>` +
				`<DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`),
			"InvalidArgument"},
		{"a size range that selects nothing is InvalidArgument",
			rule(`<Filter><And><ObjectSizeGreaterThan>9</ObjectSizeGreaterThan>` +
				`<ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter>` +
				`<Status>Enabled</Status>` + days), "InvalidArgument"},
		{"a duplicate rule ID is InvalidArgument",
			wrap(`<Rule><ID>x</ID><Filter/><Status>Enabled</Status>`+days+`</Rule>`,
				`<Rule><ID>x</ID><Filter/><Status>Enabled</Status>`+days+`</Rule>`),
			"InvalidArgument"},
		{"a rule ID longer than 255 characters is InvalidArgument",
			wrap(`<Rule><ID>` + strings.Repeat("i", 256) + `</ID><Filter/>` +
				`<Status>Enabled</Status>` + days + `</Rule>`), "InvalidArgument"},
		{"a transition is NotImplemented",
			rule(`<Filter/><Status>Enabled</Status><Transition><Days>30</Days>` +
				`<StorageClass>GLACIER</StorageClass></Transition>`), "NotImplemented"},
		{"a noncurrent transition is NotImplemented",
			rule(`<Filter/><Status>Enabled</Status>` + days + `<NoncurrentVersionTransition>` +
				`<NoncurrentDays>3</NoncurrentDays></NoncurrentVersionTransition>`),
			"NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.doc))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse: got %v, want a *lifecycle.Error", err)
			}
			if e.Code != tt.code {
				t.Errorf("code: got %s (%s), want %s", e.Code, e.Message, tt.code)
			}
		})
	}
}
