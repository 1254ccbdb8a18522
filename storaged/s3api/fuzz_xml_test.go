package s3api

import (
	"errors"
	"net/http"
	"testing"

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
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`), false)
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
