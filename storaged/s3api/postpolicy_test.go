package s3api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/strata-storage/strata/internal/policy"
	"github.com/strata-storage/strata/storaged/object"
)

func TestParsePostPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		code string
	}{
		{"every kind of condition is accepted", `{"expiration":"2030-01-01T00:00:00.000Z",` +
			`"conditions":[{"bucket":"b"},["starts-with","$key","up/"],["eq","$Content-Type",` +
			`"text/plain"],["content-length-range",1,"100"]]}`, ""},
		{"a document that is not JSON is refused", `{"expiration"`, "InvalidPolicyDocument"},
		{"a missing expiration is refused", `{"conditions":[]}`, "InvalidPolicyDocument"},
		{"a bad expiration is refused", `{"expiration":"tomorrow","conditions":[]}`,
			"InvalidPolicyDocument"},
		{"missing conditions are refused", `{"expiration":"2030-01-01T00:00:00Z"}`,
			"InvalidPolicyDocument"},
		{"an unknown operator is refused", `{"expiration":"2030-01-01T00:00:00Z",` +
			`"conditions":[["lt","$key","a"]]}`, "InvalidPolicyDocument"},
		{"a field without a dollar is refused", `{"expiration":"2030-01-01T00:00:00Z",` +
			`"conditions":[["eq","key","a"]]}`, "InvalidPolicyDocument"},
		{"an inverted length range is refused", `{"expiration":"2030-01-01T00:00:00Z",` +
			`"conditions":[["content-length-range",10,1]]}`, "InvalidPolicyDocument"},
		{"a condition of two elements is refused", `{"expiration":"2030-01-01T00:00:00Z",` +
			`"conditions":[["eq","$key"]]}`, "InvalidPolicyDocument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parsePostPolicy([]byte(tt.doc))
			code := ""
			if err != nil {
				code = toAPIError(err).code
			}
			if code != tt.code {
				t.Fatalf("got %q (%v), want %q", code, err, tt.code)
			}
		})
	}
}

func TestPostPolicyCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p, err := parsePostPolicy([]byte(`{"expiration":"2026-01-01T01:00:00Z","conditions":[` +
		`{"bucket":"bkt"},["starts-with","$key","up/"],["starts-with","$content-type",""]]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		fields map[string]string
		at     time.Time
		want   string
	}{
		{"fields that meet every condition pass", map[string]string{"key": "up/a",
			"content-type": "text/plain", "policy": "p", "x-ignore-me": "1"}, now, ""},
		{"a missing field matches an empty prefix", map[string]string{"key": "up/a"}, now, ""},
		{"a failed prefix is refused", map[string]string{"key": "down/a"}, now,
			"Policy Condition failed: [starts-with, $key, up/]"},
		{"an extra field is refused", map[string]string{"key": "up/a", "acl": "private"}, now,
			"Extra input fields: acl"},
		{"an expired policy is refused", map[string]string{"key": "up/a"},
			now.Add(2 * time.Hour), "Policy expired."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := p.check(tt.fields, "bkt", tt.at)
			got := ""
			if err != nil {
				got = toAPIError(err).message
			}
			if !strings.HasSuffix(got, tt.want) || (tt.want == "") != (err == nil) {
				t.Fatalf("got %q, want a message ending %q", got, tt.want)
			}
		})
	}
}

// formField is one field of a test form, in order.
type formField struct{ name, value string }

// postPolicyForm returns the signed fields of a form upload with the
// policy conditions given, plus the SigV4 fields, signed with the test
// key independently of the code under test.
func postPolicyForm(t *testing.T, expires time.Time, conditions []string,
	extra ...formField) []formField {
	t.Helper()
	return postPolicyFormAs(t, testCreds, expires, conditions, extra...)
}

// postPolicyFormAs is postPolicyForm signed with another key.
func postPolicyFormAs(t *testing.T, creds aws.Credentials, expires time.Time,
	conditions []string, extra ...formField) []formField {
	t.Helper()
	now := time.Now().UTC()
	date := now.Format("20060102")
	cred := creds.AccessKeyID + "/" + date + "/" + testRegion + "/s3/aws4_request"
	amzDate := now.Format("20060102T150405Z")
	conds := append([]string{`{"x-amz-algorithm":"AWS4-HMAC-SHA256"}`,
		`{"x-amz-credential":"` + cred + `"}`, `{"x-amz-date":"` + amzDate + `"}`}, conditions...)
	doc := `{"expiration":"` + expires.UTC().Format(time.RFC3339) + `","conditions":[` +
		strings.Join(conds, ",") + `]}`
	policy := base64.StdEncoding.EncodeToString([]byte(doc))
	fields := append([]formField{{"x-amz-algorithm", "AWS4-HMAC-SHA256"},
		{"x-amz-credential", cred}, {"x-amz-date", amzDate}, {"policy", policy},
		{"x-amz-signature", testPolicySignature(creds.SecretAccessKey, date, policy)}}, extra...)
	return fields
}

func testPolicySignature(secret, date, policy string) string {
	mac := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, testRegion)
	k = mac(k, "s3")
	k = mac(k, "aws4_request")
	return hex.EncodeToString(mac(k, policy))
}

// formRequest builds POST /bkt with the fields and then the file.
func formRequest(t *testing.T, target string, fields []formField, filename,
	content string) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, content)
	}
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "http://"+testHost+target, &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestPostObjectForm(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	ctx := context.Background()
	if err := layer.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	hour := time.Now().Add(time.Hour)
	base := []string{`{"bucket":"bkt"}`, `["starts-with","$key","up/"]`,
		`["content-length-range",1,10]`}
	tagging := `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`
	full := append(base, `["starts-with","$Content-Type","text/"]`,
		`{"x-amz-meta-color":"blue"}`, `{"tagging":"`+strings.ReplaceAll(tagging, `"`, `\"`)+`"}`,
		`{"success_action_status":"201"}`)
	tests := []struct {
		name    string
		r       *http.Request
		status  int
		code    string
		wantKey string
	}{
		{"a signed form stores the file under its key with metadata and tags",
			formRequest(t, "/bkt", postPolicyForm(t, hour, full, formField{"key",
				"up/${filename}"}, formField{"Content-Type", "text/plain"},
				formField{"x-amz-meta-color", "blue"}, formField{"tagging", tagging},
				formField{"success_action_status", "201"}), "a.txt", "hello"),
			201, "", "up/a.txt"},
		{"the default answer is 204", formRequest(t, "/bkt", postPolicyForm(t, hour, base,
			formField{"key", "up/b"}), "b", "x"), 204, "", "up/b"},
		{"an expired policy is refused", formRequest(t, "/bkt", postPolicyForm(t,
			time.Now().Add(-time.Minute), base, formField{"key", "up/c"}), "c", "x"),
			403, "AccessDenied", ""},
		{"a key outside the prefix is refused", formRequest(t, "/bkt", postPolicyForm(t, hour,
			base, formField{"key", "down/d"}), "d", "x"), 403, "AccessDenied", ""},
		{"a field the policy does not name is refused", formRequest(t, "/bkt",
			postPolicyForm(t, hour, base, formField{"key", "up/e"},
				formField{"x-amz-meta-sneaky", "1"}), "e", "x"), 403, "AccessDenied", ""},
		{"a file over the range is EntityTooLarge", formRequest(t, "/bkt", postPolicyForm(t,
			hour, base, formField{"key", "up/f"}), "f", "01234567890"), 400,
			"EntityTooLarge", ""},
		{"an empty file under the range is EntityTooSmall", formRequest(t, "/bkt",
			postPolicyForm(t, hour, base, formField{"key", "up/g"}), "g", ""), 400,
			"EntityTooSmall", ""},
		{"an acl field other than private is refused", formRequest(t, "/bkt",
			postPolicyForm(t, hour, append(base, `{"acl":"public-read"}`),
				formField{"key", "up/acl"}, formField{"acl", "public-read"}), "a", "x"),
			400, "AccessControlListNotSupported", ""},
		{"a form without a file is refused", formRequest(t, "/bkt", postPolicyForm(t, hour,
			base, formField{"key", "up/h"}), "", ""), 400, "InvalidArgument", ""},
		{"a form without a key is refused", formRequest(t, "/bkt", postPolicyForm(t, hour,
			base), "i", "x"), 400, "InvalidArgument", ""},
		{"a bucket other than the policy's is refused", formRequest(t, "/other",
			postPolicyForm(t, hour, base, formField{"key", "up/j"}), "j", "x"), 403,
			"AccessDenied", ""},
		{"an anonymous form without a bucket policy is refused", formRequest(t, "/bkt",
			[]formField{{"key", "up/k"}}, "k", "x"), 403, "AccessDenied", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.r)
			mustStatus(t, w, tt.status, tt.code)
			if tt.wantKey == "" {
				return
			}
			if _, err := layer.HeadObject(ctx, "bkt", tt.wantKey); err != nil {
				t.Fatalf("got no object %s: %v", tt.wantKey, err)
			}
		})
	}
	info, err := layer.HeadObject(ctx, "bkt", "up/a.txt")
	if err != nil || info.ContentType != "text/plain" || info.UserMetadata["color"] != "blue" ||
		info.Tags["k"] != "v" || info.Size != 5 {
		t.Fatalf("got %+v, %v, want text/plain, color=blue, tag k=v, 5 bytes", info, err)
	}
	for _, key := range []string{"up/c", "down/d", "up/e", "up/f", "up/g"} {
		if _, err := layer.HeadObject(ctx, "bkt", key); err == nil {
			t.Fatalf("a refused form stored %s", key)
		}
	}
}

func TestPostObjectSignatureErrors(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	set := func(fields []formField, name, value string) []formField {
		for i := range fields {
			if fields[i].name == name {
				fields[i].value = value
			}
		}
		return fields
	}
	good := func() []formField {
		return postPolicyForm(t, time.Now().Add(time.Hour), []string{`["eq","$key","k"]`},
			formField{"key", "k"})
	}
	tests := []struct {
		name   string
		fields []formField
		status int
		code   string
	}{
		{"a wrong signature is refused", set(good(), "x-amz-signature",
			strings.Repeat("0", 64)), 403, "SignatureDoesNotMatch"},
		{"another algorithm is refused", set(good(), "x-amz-algorithm", "AWS4-ECDSA-P256-SHA256"),
			400, "InvalidRequest"},
		{"an unknown key is refused", set(good(), "x-amz-credential",
			"AKIDNOPE/"+time.Now().UTC().Format("20060102")+"/"+testRegion+"/s3/aws4_request"),
			403, "InvalidAccessKeyId"},
		{"a policy that is not base64 is refused", set(good(), "policy", "%%%"), 403,
			"SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(h, formRequest(t, "/bkt", tt.fields, "f", "x"))
			mustStatus(t, w, tt.status, tt.code)
		})
	}
}

func TestPostObjectAnswers(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	hour := time.Now().Add(time.Hour)
	w := do(h, formRequest(t, "/bkt", postPolicyForm(t, hour, []string{`{"key":"k"}`,
		`{"success_action_redirect":"https://app.test/done?x=1"}`}, formField{"key", "k"},
		formField{"success_action_redirect", "https://app.test/done?x=1"}), "f", "hello"))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("got status %d, want 303; body %s", w.Code, w.Body.String())
	}
	u, err := url.Parse(w.Header().Get("Location"))
	if err != nil || u.Host != "app.test" || u.Query().Get("key") != "k" ||
		u.Query().Get("bucket") != "bkt" || u.Query().Get("x") != "1" ||
		u.Query().Get("etag") != `"`+md5Hex([]byte("hello"))+`"` {
		t.Fatalf("got Location %q, want the redirect with bucket, key and etag",
			w.Header().Get("Location"))
	}
	w = do(h, formRequest(t, "/bkt", postPolicyForm(t, hour, []string{`{"key":"k"}`,
		`{"success_action_status":"200"}`}, formField{"key", "k"},
		formField{"success_action_status", "200"}), "f", "hello"))
	if w.Code != http.StatusOK || w.Header().Get("ETag") == "" ||
		w.Header().Get("Location") != "http://"+testHost+"/bkt/k" {
		t.Fatalf("got %d ETag %q Location %q, want 200 with both", w.Code,
			w.Header().Get("ETag"), w.Header().Get("Location"))
	}
	w = do(h, httptest.NewRequest(http.MethodPost, "http://"+testHost+"/bkt",
		strings.NewReader("a=b")))
	mustStatus(t, w, http.StatusBadRequest, "MalformedPOSTRequest")
}

// streamCheckLayer is the fake layer whose PutObject reports when the
// first byte of a body arrives.
type streamCheckLayer struct {
	*fakeLayer
	started chan struct{}
}

func (s *streamCheckLayer) PutObject(ctx context.Context, bucket, key string, r io.Reader,
	size int64, opts object.PutOptions) (object.ObjectInfo, error) {
	first := make([]byte, 1)
	if _, err := io.ReadFull(r, first); err != nil {
		return object.ObjectInfo{}, err
	}
	close(s.started)
	return s.fakeLayer.PutObject(ctx, bucket, key, io.MultiReader(bytes.NewReader(first), r),
		size, opts)
}

func TestPostObjectStreamsTheFile(t *testing.T) {
	t.Parallel()
	layer := &streamCheckLayer{fakeLayer: newFakeLayer(), started: make(chan struct{})}
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	waited := make(chan error, 1)
	go func() {
		for _, f := range postPolicyForm(t, time.Now().Add(time.Hour), []string{`{"key":"k"}`},
			formField{"key", "k"}) {
			mw.WriteField(f.name, f.value)
		}
		fw, _ := mw.CreateFormFile("file", "f")
		fw.Write(bytes.Repeat([]byte("a"), 64<<10))
		select {
		case <-layer.started:
			waited <- nil
		case <-time.After(10 * time.Second):
			waited <- fmt.Errorf("the layer saw no byte before the body ended")
		}
		fw.Write(bytes.Repeat([]byte("b"), 64<<10))
		mw.Close()
		pw.Close()
	}()
	r := httptest.NewRequest(http.MethodPost, "http://"+testHost+"/bkt", pr)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w := do(h, r)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	mustStatus(t, w, http.StatusNoContent, "")
	info, err := layer.HeadObject(context.Background(), "bkt", "k")
	if err != nil || info.Size != 128<<10 {
		t.Fatalf("got %+v, %v, want a 128 KiB object", info, err)
	}
}

func TestPresignedPostPolicyWithMinio(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	ctx := context.Background()
	if err := layer.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := minio.New(strings.TrimPrefix(srv.URL, "http://"), &minio.Options{
		Creds:  miniocreds.NewStaticV4(testAccessKey, testSecret, ""),
		Region: testRegion,
	})
	if err != nil {
		t.Fatal(err)
	}
	p := minio.NewPostPolicy()
	for _, err := range []error{p.SetBucket("bkt"), p.SetKey("uploads/photo.jpg"),
		p.SetExpires(time.Now().Add(time.Hour)), p.SetContentLengthRange(1, 1024),
		p.SetContentType("image/jpeg"), p.SetUserMetadata("owner", "ann")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	u, fields, err := c.PresignedPostPolicy(ctx, p)
	if err != nil {
		t.Fatalf("PresignedPostPolicy: %v", err)
	}
	var form []formField
	for k, v := range fields {
		form = append(form, formField{k, v})
	}
	r := formRequest(t, "/bkt", form, "photo.jpg", "jpeg bytes")
	r.URL, r.Host, r.RequestURI = u, u.Host, ""
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("got %d %s, want 204", resp.StatusCode, body)
	}
	obj, err := c.GetObject(ctx, "bkt", "uploads/photo.jpg", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	st, _ := obj.Stat()
	if err != nil || string(got) != "jpeg bytes" || st.ContentType != "image/jpeg" ||
		st.UserMetadata["Owner"] != "ann" {
		t.Fatalf("got %q %v %+v, want the uploaded jpeg with its metadata", got, err, st)
	}
}

func TestPostObjectAuthorizesTheFormsKey(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:PutObject","Resource":"arn:aws:s3:::bkt/up/*"}]}`)
	p, err := policy.ParseIdentity(doc)
	if err != nil {
		t.Fatal(err)
	}
	limited := Key{Name: "uploader", Policy: p, Credentials: Credentials{
		AccessKeyID: "AKIDUPLOADER", SecretAccessKey: "uploader-secret-key"}}
	keys, err := NewStaticKeys([]Key{limited})
	if err != nil {
		t.Fatal(err)
	}
	layer := newFakeLayer()
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: layer, Keys: keys,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: "AKIDUPLOADER", SecretAccessKey: "uploader-secret-key"}
	tests := []struct {
		name, key string
		status    int
		code      string
	}{
		{"a key its policy allows is stored", "up/a", 204, ""},
		{"a key its policy does not allow is refused", "down/a", 403, "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := postPolicyFormAs(t, creds, time.Now().Add(time.Hour),
				[]string{`{"key":"` + tt.key + `"}`}, formField{"key", tt.key})
			mustStatus(t, do(h, formRequest(t, "/bkt", fields, "f", "x")), tt.status, tt.code)
		})
	}
}

func TestPostObjectChecksumField(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	ctx := context.Background()
	if err := layer.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	// CRC32 of "hello" is 0x3610a686.
	const good = "NhCmhg=="
	tests := []struct {
		name, key, value string
		status           int
		code             string
	}{
		{"a matching checksum is recorded and returned", "good", good, 204, ""},
		{"a checksum that does not match is BadDigest", "bad", "AAAAAA==", 400, "BadDigest"},
		{"a checksum of the wrong length is refused", "short", "AAA=", 400, "InvalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fields := postPolicyForm(t, time.Now().Add(time.Hour), []string{
				`{"key":"` + tt.key + `"}`, `{"x-amz-checksum-crc32":"` + tt.value + `"}`},
				formField{"key", tt.key}, formField{"x-amz-checksum-crc32", tt.value})
			w := do(h, formRequest(t, "/bkt", fields, "f", "hello"))
			mustStatus(t, w, tt.status, tt.code)
			info, err := layer.HeadObject(ctx, "bkt", tt.key)
			if tt.code != "" {
				if err == nil {
					t.Fatalf("a refused form stored %s", tt.key)
				}
				return
			}
			if err != nil || info.Checksums["CRC32"] != good ||
				w.Header().Get("X-Amz-Checksum-Crc32") != good {
				t.Fatalf("got %+v, %v, header %q, want CRC32 %s recorded and returned", info,
					err, w.Header().Get("X-Amz-Checksum-Crc32"), good)
			}
		})
	}
}
