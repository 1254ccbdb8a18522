package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/lifecycle"
	"github.com/strata-storage/strata/storaged/object"
)

// mustBeS3Error fails the test when err is neither nil nor an S3 error.
func mustBeS3Error(t *testing.T, err error) {
	t.Helper()
	var ae *apiError
	if err != nil && !errors.As(err, &ae) {
		t.Fatalf("got a non-S3 error %v", err)
	}
}

// FuzzParseCompleteMultipartUpload feeds arbitrary bodies to the
// CompleteMultipartUpload parser: it must never panic, must refuse with an
// S3 error, and what it accepts must name 1 to 10000 parts in range.
func FuzzParseCompleteMultipartUpload(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>` +
		`<ETag>"a"</ETag></Part></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		parts, err := parseCompleteMultipartUpload(body)
		mustBeS3Error(t, err)
		if err != nil {
			return
		}
		if len(parts) == 0 || len(parts) > object.MaxPartNumber {
			t.Fatalf("accepted %d parts", len(parts))
		}
		for _, p := range parts {
			if p.Number < 1 || p.Number > object.MaxPartNumber {
				t.Fatalf("accepted part number %d", p.Number)
			}
		}
	})
}

// FuzzParseTagging feeds arbitrary bodies to the Tagging parser, as an
// object's and as a bucket's: what it accepts keeps S3's limits.
func FuzzParseTagging(f *testing.F) {
	f.Add(
		[]byte(`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`),
		false,
	)
	f.Fuzz(func(t *testing.T, body []byte, bucket bool) {
		limit := maxObjectTags
		if bucket {
			limit = maxBucketTags
		}
		tags, err := parseTagging(body, limit)
		mustBeS3Error(t, err)
		if len(tags) > limit {
			t.Fatalf("accepted %d tags, the limit is %d", len(tags), limit)
		}
		for k, v := range tags {
			if checkTag(k, v) != nil {
				t.Fatalf("accepted the invalid tag %q=%q", k, v)
			}
		}
	})
}

// FuzzTagsHeader feeds arbitrary x-amz-tagging headers to their parser.
func FuzzTagsHeader(f *testing.F) {
	f.Add("a=b&c=d")
	f.Fuzz(func(t *testing.T, v string) {
		tags, err := tagsHeader(http.Header{"X-Amz-Tagging": {v}})
		mustBeS3Error(t, err)
		if len(tags) > maxObjectTags {
			t.Fatalf("accepted %d tags", len(tags))
		}
	})
}

// FuzzParseBucketConfiguration feeds arbitrary CreateBucket bodies to
// their parser: it accepts only what names the endpoint's region.
func FuzzParseBucketConfiguration(f *testing.F) {
	f.Add([]byte(`<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint>` +
		`</CreateBucketConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		mustBeS3Error(t, parseBucketConfiguration(body, testRegion))
	})
}

// FuzzParseDelete feeds arbitrary DeleteObjects bodies to their parser:
// what it accepts names 1 to 1000 keys.
func FuzzParseDelete(f *testing.F) {
	f.Add([]byte(`<Delete><Object><Key>a</Key></Object></Delete>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := parseDelete(body)
		mustBeS3Error(t, err)
		if err == nil && (len(d.Objects) == 0 || len(d.Objects) > maxDeleteKeys) {
			t.Fatalf("accepted %d keys", len(d.Objects))
		}
	})
}

// FuzzParseCopySource feeds arbitrary x-amz-copy-source values to their
// parser: what it accepts names a bucket and a key.
func FuzzParseCopySource(f *testing.F) {
	f.Add("/bucket/some%2Fkey?versionId=null")
	f.Fuzz(func(t *testing.T, v string) {
		src, err := parseCopySource(v)
		mustBeS3Error(t, err)
		if err == nil && (src.bucket == "" || src.key == "") {
			t.Fatalf("accepted %q as %+v", v, src)
		}
	})
}

// FuzzParseVersioningConfiguration feeds arbitrary PutBucketVersioning
// bodies to their parser: what it accepts is Enabled or Suspended.
func FuzzParseVersioningConfiguration(f *testing.F) {
	f.Add([]byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		state, err := parseVersioningConfiguration(body)
		mustBeS3Error(t, err)
		if err == nil && state != object.VersioningEnabled && state != object.VersioningSuspended {
			t.Fatalf("accepted the state %q", state)
		}
	})
}

// FuzzParseCORSConfiguration feeds arbitrary PutBucketCors bodies to their
// parser: what it accepts holds 1 to 100 rules that each pass the rule
// checks, and survives a round trip through the stored form.
func FuzzParseCORSConfiguration(f *testing.F) {
	f.Add([]byte(`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>` +
		`<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseCORSConfiguration(body)
		mustBeS3Error(t, err)
		if err != nil {
			return
		}
		if len(c.Rules) == 0 || len(c.Rules) > maxCORSRules {
			t.Fatalf("accepted %d rules", len(c.Rules))
		}
		for _, r := range c.Rules {
			if err := r.check(); err != nil {
				t.Fatalf("accepted a rule that fails its check: %v", err)
			}
		}
		doc, err := xml.Marshal(c)
		if err != nil {
			t.Fatalf("encoding an accepted configuration: %v", err)
		}
		if _, err := parseCORSConfiguration(doc); err != nil {
			t.Fatalf("the stored form %s does not parse: %v", doc, err)
		}
	})
}

// FuzzParsePostPolicy feeds arbitrary policy documents of browser form
// uploads to their parser: what it accepts has an expiration, eq or
// starts-with conditions on named fields, and a sane length range.
func FuzzParsePostPolicy(f *testing.F) {
	f.Add([]byte(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},` +
		`["starts-with","$key",""],["content-length-range",0,10]]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := parsePostPolicy(doc)
		mustBeS3Error(t, err)
		if err != nil {
			return
		}
		if p.expiration.IsZero() && !bytes.Contains(doc, []byte("0001-01-01")) {
			t.Fatalf("accepted %q without an expiration", doc)
		}
		if p.hasLength && (p.lengthMin < 0 || p.lengthMax < p.lengthMin) {
			t.Fatalf("accepted the length range %d-%d", p.lengthMin, p.lengthMax)
		}
		for _, c := range p.conditions {
			if c.op != "eq" && c.op != "starts-with" {
				t.Fatalf("accepted the operator %q", c.op)
			}
		}
	})
}

// FuzzParseLifecycle feeds arbitrary bodies to the lifecycle parser: it
// must never panic, must refuse with an S3 error, and what it accepts
// holds 1 to 1000 rules with IDs, encodes, and parses again the same.
func FuzzParseLifecycle(f *testing.F) {
	f.Add([]byte(testLifecycle))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseLifecycle(body)
		mustBeS3Error(t, err)
		if err != nil {
			return
		}
		if len(c.Rules) == 0 || len(c.Rules) > lifecycle.MaxRules {
			t.Fatalf("accepted %d rules", len(c.Rules))
		}
		doc, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := parseLifecycle(doc)
		if err != nil {
			t.Fatalf("parsing what was accepted and encoded: %v\n%s", err, doc)
		}
		for i, r := range again.Rules {
			if r.ID == "" || r.ID != c.Rules[i].ID {
				t.Fatalf("rule %d ID: got %q, want %q", i, r.ID, c.Rules[i].ID)
			}
		}
	})
}

// FuzzParseObjectLockConfiguration feeds arbitrary bodies to the
// ?object-lock parser: what it accepts is enabled, has a valid mode and
// exactly one period in range, and reads back the same from its XML.
func FuzzParseObjectLockConfiguration(f *testing.F) {
	f.Add([]byte(`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>` +
		`<DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>` +
		`</ObjectLockConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cfg, err := parseObjectLockConfiguration(body)
		mustBeS3Error(t, err)
		if err != nil {
			return
		}
		days, years := cfg.DefaultDays > 0, cfg.DefaultYears > 0
		if !cfg.Enabled ||
			cfg.DefaultMode != "" && (!validMode(cfg.DefaultMode) || days == years) ||
			cfg.DefaultDays > maxDefaultDays ||
			cfg.DefaultYears > maxDefaultYears {
			t.Fatalf("accepted %+v", cfg)
		}
		doc, err := xml.Marshal(lockConfigurationOf(cfg))
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		if again, err := parseObjectLockConfiguration(doc); err != nil || again != cfg {
			t.Fatalf("read back %+v, %v; want %+v", again, err, cfg)
		}
	})
}

// FuzzParseRetention feeds arbitrary bodies to the ?retention parser: what
// it accepts removes the retention or sets a valid mode until after now.
func FuzzParseRetention(f *testing.F) {
	f.Add([]byte(`<Retention><Mode>COMPLIANCE</Mode>` +
		`<RetainUntilDate>2030-04-25T14:00:00Z</RetainUntilDate></Retention>`))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseRetention(body, now)
		mustBeS3Error(t, err)
		if err == nil && r.mode != "" && (!validMode(r.mode) || !r.until.After(now)) {
			t.Fatalf("accepted %+v", r)
		}
	})
}

// FuzzParseLegalHold feeds arbitrary bodies to the ?legal-hold parser:
// what it accepts is ON or OFF.
func FuzzParseLegalHold(f *testing.F) {
	f.Add([]byte(`<LegalHold><Status>ON</Status></LegalHold>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		status, err := parseLegalHold(body)
		mustBeS3Error(t, err)
		if err == nil && status != object.LegalHoldOn && status != object.LegalHoldOff {
			t.Fatalf("accepted %q", status)
		}
	})
}
