package s3api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/strata-storage/strata/internal/policy"
	"github.com/strata-storage/strata/storaged/object"
)

// policyLayer is the fake layer with bucket policies.
type policyLayer struct {
	*fakeLayer
	mu   sync.Mutex
	docs map[string][]byte
}

var _ object.BucketPolicyStore = (*policyLayer)(nil)

func (p *policyLayer) PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error {
	if _, err := p.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(doc) == 0 {
		delete(p.docs, bucket)
		return nil
	}
	p.docs[bucket] = append([]byte(nil), doc...)
	return nil
}

func (p *policyLayer) BucketPolicy(_ context.Context, bucket string) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.docs[bucket], nil
}

// The second key of the authorization tests.
const (
	userAccessKey = "AKIDSTRATAUSER"
	userSecret    = "strata-user-secret-0123456789"
)

var userCreds = aws.Credentials{AccessKeyID: userAccessKey, SecretAccessKey: userSecret}

// newAuthzHandler returns a handler with the root key and a key "alice"
// whose identity policy is identityDoc ("" for none), over a fake layer
// with policies holding bucket "bkt" with objects "home/alice/a" and
// "other/b".
func newAuthzHandler(t *testing.T, identityDoc string) (*Handler, *policyLayer) {
	t.Helper()
	layer := &policyLayer{fakeLayer: newFakeLayer(), docs: map[string][]byte{}}
	key := Key{Credentials: Credentials{AccessKeyID: userAccessKey, SecretAccessKey: userSecret},
		Name: "alice"}
	if identityDoc != "" {
		p, err := policy.ParseIdentity([]byte(identityDoc))
		if err != nil {
			t.Fatal(err)
		}
		key.Policy = p
	}
	keys, err := NewStaticKeys([]Key{key})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: layer, Keys: keys,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := layer.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"home/alice/a", "other/b"} {
		if _, err := layer.PutObject(ctx, "bkt", k, strings.NewReader("x"), 1,
			object.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return h, layer
}

// setPolicy stores a bucket policy as the root key would.
func setPolicy(t *testing.T, h *Handler, bucket, doc string) {
	t.Helper()
	w := do(h, signedRequest(t, http.MethodPut, "/"+bucket+"?policy", []byte(doc), signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
}

const (
	aliceHomeOnly = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],` +
		`"Resource":"arn:aws:s3:::bkt/home/${aws:username}/*"},` +
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bkt",` +
		`"Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}`
	publicRead = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}`
	denyOther = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",` +
		`"Action":"s3:*","Resource":"arn:aws:s3:::bkt/other/*"},` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:::user/alice"},` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}`
	allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",` +
		`"Resource":"*"}]}`
)

func TestAuthorizeDecisions(t *testing.T) {
	t.Parallel()
	type call struct {
		method, target string
		creds          *aws.Credentials // nil: anonymous
		status         int
		code           string
	}
	root, user := &testCreds, &userCreds
	tests := []struct {
		name         string
		identity     string
		bucketPolicy string
		calls        []call
	}{
		{"the root key bypasses every policy", "", `{"Version":"2012-10-17","Statement":` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt*"}}`,
			[]call{{"GET", "/bkt/other/b", root, 200, ""},
				{"GET", "/bkt?list-type=2", root, 200, ""}}},
		{"an anonymous request without a policy is denied", "", "",
			[]call{{"GET", "/bkt/other/b", nil, 403, "AccessDenied"},
				{"GET", "/", nil, 403, "AccessDenied"}}},
		{"an anonymous GET works once a bucket policy allows it", "", publicRead,
			[]call{{"GET", "/bkt/other/b", nil, 200, ""},
				{"PUT", "/bkt/new", nil, 403, "AccessDenied"},
				{"GET", "/bkt?list-type=2", nil, 403, "AccessDenied"}}},
		{"a key without any policy may do nothing", "", "",
			[]call{{"GET", "/bkt/home/alice/a", user, 403, "AccessDenied"}}},
		{"a key limited to its prefix reads there and nowhere else", aliceHomeOnly, "",
			[]call{{"GET", "/bkt/home/alice/a", user, 200, ""},
				{"PUT", "/bkt/home/alice/new", user, 200, ""},
				{"GET", "/bkt/other/b", user, 403, "AccessDenied"},
				{"DELETE", "/bkt/home/alice/a", user, 403, "AccessDenied"},
				{"GET", "/bkt?list-type=2&prefix=home/alice/", user, 200, ""},
				{"GET", "/bkt?list-type=2&prefix=other/", user, 403, "AccessDenied"},
				{"GET", "/bkt?list-type=2", user, 403, "AccessDenied"},
				{"GET", "/bkt?policy", user, 403, "AccessDenied"}}},
		{"a bucket policy naming the key's ARN allows it", "", denyOther,
			[]call{{"GET", "/bkt/home/alice/a", user, 200, ""}}},
		{"an explicit deny in the bucket policy beats the key's allow", allowAll, denyOther,
			[]call{{"GET", "/bkt/other/b", user, 403, "AccessDenied"},
				{"GET", "/bkt/home/alice/a", user, 200, ""}}},
		{"an explicit deny in the key's policy beats the bucket's allow",
			`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:GetObject",` +
				`"Resource":"arn:aws:s3:::bkt/home/*"}}`, denyOther,
			[]call{{"GET", "/bkt/home/alice/a", user, 403, "AccessDenied"}}},
		{"a condition on the source address is checked",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",` +
				`"Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`, "",
			[]call{{"GET", "/bkt/other/b", user, 403, "AccessDenied"}}},
		{"a copy needs read access to its source", aliceHomeOnly, "",
			[]call{{"PUT", "/bkt/home/alice/copy?copy=other", user, 403, "AccessDenied"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newAuthzHandler(t, tt.identity)
			if tt.bucketPolicy != "" {
				setPolicy(t, h, "bkt", tt.bucketPolicy)
			}
			for _, c := range tt.calls {
				var hdr http.Header
				target := c.target
				if before, ok := strings.CutSuffix(target, "?copy=other"); ok {
					target, hdr = before, http.Header{"X-Amz-Copy-Source": {"/bkt/other/b"}}
				}
				r := unsignedRequest(c.method, target, nil, hdr)
				if c.creds != nil {
					r = signedRequest(t, c.method, target, nil,
						signOptions{creds: *c.creds, header: hdr})
				}
				w := do(h, r)
				if w.Code != c.status || errorCode(t, w) != c.code {
					t.Errorf("%s %s: got %d %q, want %d %q", c.method, c.target, w.Code,
						errorCode(t, w), c.status, c.code)
				}
			}
		})
	}
}

func TestUnknownAccessKeyIsRefused(t *testing.T) {
	t.Parallel()
	h, _ := newAuthzHandler(t, "")
	creds := aws.Credentials{AccessKeyID: "AKIDNOSUCHKEY", SecretAccessKey: userSecret}
	w := do(h, signedRequest(t, "GET", "/bkt/other/b", nil, signOptions{creds: creds}))
	mustStatus(t, w, http.StatusForbidden, "InvalidAccessKeyId")
}

func TestDeleteObjectsReportsAccessDeniedPerKey(t *testing.T) {
	t.Parallel()
	h, layer := newAuthzHandler(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow",`+
		`"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bkt/home/*"}}`)
	body := []byte(`<Delete><Object><Key>home/alice/a</Key></Object>` +
		`<Object><Key>other/b</Key></Object></Delete>`)
	w := do(h, signedRequest(t, "POST", "/bkt?delete", body, signOptions{creds: userCreds}))
	mustStatus(t, w, http.StatusOK, "")
	got := w.Body.String()
	if !strings.Contains(got, "<Deleted><Key>home/alice/a</Key>") ||
		!strings.Contains(got, "<Key>other/b</Key><Code>AccessDenied</Code>") {
		t.Fatalf("got %s, want home/alice/a deleted and other/b AccessDenied", got)
	}
	if _, err := layer.HeadObject(t.Context(), "bkt", "other/b"); err != nil {
		t.Fatalf("got %v for the denied key, want it kept", err)
	}
}

func TestListBucketsNeedsListAllMyBuckets(t *testing.T) {
	t.Parallel()
	listOne := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket",` +
		`"Resource":"arn:aws:s3:::bkt"}}`
	listAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
		`"Action":"s3:ListAllMyBuckets","Resource":"*"}}`
	denyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",` +
		`"Resource":"*"},{"Effect":"Deny","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	tests := []struct {
		name     string
		identity string
		status   int
		code     string
	}{
		{"a key allowed ListAllMyBuckets sees every bucket", listAll, http.StatusOK, ""},
		{"a key that may list one bucket is refused", listOne, http.StatusForbidden,
			"AccessDenied"},
		{"a key without policy is refused", "", http.StatusForbidden, "AccessDenied"},
		{"a key denied ListAllMyBuckets explicitly is refused", denyAll, http.StatusForbidden,
			"AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := newAuthzHandler(t, tt.identity)
			if err := layer.MakeBucket(t.Context(), "zzz"); err != nil {
				t.Fatal(err)
			}
			w := do(h, signedRequest(t, "GET", "/", nil, signOptions{creds: userCreds}))
			mustStatus(t, w, tt.status, tt.code)
			if tt.status != http.StatusOK {
				if strings.Contains(w.Body.String(), "<Name>") {
					t.Errorf("got %s, want no bucket named in a refusal", w.Body.String())
				}
				return
			}
			for _, b := range []string{"bkt", "zzz"} {
				if !strings.Contains(w.Body.String(), "<Name>"+b+"</Name>") {
					t.Errorf("got %s, want bucket %s listed", w.Body.String(), b)
				}
			}
		})
	}
}

func TestRequestAccessMapsOperationsToActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, target string
		header         http.Header
		want           access
	}{
		{"GET", "/b?list-type=2", nil, access{action: "s3:ListBucket", bucket: "b"}},
		{"GET", "/b", nil, access{action: "s3:ListBucket", bucket: "b"}},
		{"HEAD", "/b", nil, access{action: "s3:ListBucket", bucket: "b"}},
		{"GET", "/b?versions", nil, access{action: "s3:ListBucketVersions", bucket: "b"}},
		{"GET", "/b?uploads", nil, access{action: "s3:ListBucketMultipartUploads", bucket: "b"}},
		{"GET", "/b?policy", nil, access{action: "s3:GetBucketPolicy", bucket: "b"}},
		{"GET", "/b?lifecycle", nil, access{action: "s3:GetLifecycleConfiguration", bucket: "b"}},
		{"PUT", "/b?lifecycle", nil, access{action: "s3:PutLifecycleConfiguration", bucket: "b"}},
		{"DELETE", "/b?lifecycle", nil,
			access{action: "s3:PutLifecycleConfiguration", bucket: "b"}},
		{"GET", "/b?policyStatus", nil, access{action: "s3:GetBucketPolicyStatus", bucket: "b"}},
		{"PUT", "/b?policy", nil, access{action: "s3:PutBucketPolicy", bucket: "b"}},
		{"DELETE", "/b?policy", nil, access{action: "s3:DeleteBucketPolicy", bucket: "b"}},
		{"DELETE", "/b?tagging", nil, access{action: "s3:PutBucketTagging", bucket: "b"}},
		{"PUT", "/b", nil, access{action: "s3:CreateBucket", bucket: "b"}},
		{"DELETE", "/b", nil, access{action: "s3:DeleteBucket", bucket: "b"}},
		{"POST", "/b?delete", nil, access{self: true}},
		{"GET", "/", nil, access{action: "s3:ListAllMyBuckets"}},
		{"GET", "/b/k", nil, access{action: "s3:GetObject", bucket: "b", key: "k"}},
		{"HEAD", "/b/k?versionId=v1", nil,
			access{action: "s3:GetObjectVersion", bucket: "b", key: "k"}},
		{"GET", "/b/k?versionId=null", nil, access{action: "s3:GetObject", bucket: "b", key: "k"}},
		{"GET", "/b/k?uploadId=u", nil,
			access{action: "s3:ListMultipartUploadParts", bucket: "b", key: "k"}},
		{"PUT", "/b/k?uploadId=u&partNumber=1", nil,
			access{action: "s3:PutObject", bucket: "b", key: "k"}},
		{"POST", "/b/k?uploads", nil, access{action: "s3:PutObject", bucket: "b", key: "k"}},
		{"POST", "/b/k?uploadId=u", nil, access{action: "s3:PutObject", bucket: "b", key: "k"}},
		{"DELETE", "/b/k?uploadId=u", nil,
			access{action: "s3:AbortMultipartUpload", bucket: "b", key: "k"}},
		{"DELETE", "/b/k?versionId=v1", nil,
			access{action: "s3:DeleteObjectVersion", bucket: "b", key: "k"}},
		{"PUT", "/b/k?tagging&versionId=v1", nil,
			access{action: "s3:PutObjectVersionTagging", bucket: "b", key: "k"}},
		{"GET", "/b/k?attributes", nil,
			access{action: "s3:GetObjectAttributes", bucket: "b", key: "k"}},
		{"GET", "/b/k?tagging&uploadId=u", nil,
			access{action: "s3:GetObjectTagging", bucket: "b", key: "k"}},
		{"PUT", "/b?policy&tagging", nil, access{bucket: "b"}},
		{"GET", "/b?cors&location", nil, access{bucket: "b"}},
	}
	for _, tt := range tests {
		name := tt.method + " " + tt.target + " is " + tt.want.action
		switch {
		case tt.want.self:
			name += "checked by the operation itself"
		case tt.want.action == "":
			name += "refused"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(unsignedRequest(tt.method, tt.target, nil, tt.header))
			if got := requestAccess(req); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestConditionContextDescribesTheRequest(t *testing.T) {
	t.Parallel()
	h, _ := newAuthzHandler(t, "")
	r := signedRequest(t, "GET", "/bkt?list-type=2&prefix=p/&delimiter=/&max-keys=5", nil,
		signOptions{creds: userCreds, header: http.Header{"User-Agent": {"test-agent"}}})
	r.RemoteAddr = "192.0.2.1:1234"
	req := newRequest(r)
	if err := h.authenticate(req); err != nil {
		t.Fatal(err)
	}
	c := h.conditionContext(req)
	want := map[string]string{"aws:SourceIp": "192.0.2.1", "aws:SecureTransport": "false",
		"aws:UserAgent": "test-agent", "aws:username": "alice", "aws:userid": userAccessKey,
		"aws:PrincipalType": "User", "s3:prefix": "p/", "s3:delimiter": "/", "s3:max-keys": "5",
		"s3:authType": "REST-HEADER", "s3:signatureversion": "AWS4-HMAC-SHA256"}
	for k, v := range want {
		if got := c[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	if len(c["aws:CurrentTime"]) != 1 || len(c["aws:EpochTime"]) != 1 {
		t.Errorf("got times %q and %q, want one each", c["aws:CurrentTime"], c["aws:EpochTime"])
	}
}
