package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/internal/policy"
	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

// lockClock is a test's view of an erasure layer through handlers whose
// clocks it sets: at(d) serves requests signed d after the test's start.
type lockClock struct {
	t     *testing.T
	layer object.Layer
	start time.Time
	keys  KeyStore
}

// newLockClock returns a clock over a real erasure layer (it keeps
// versions and lock settings) on four fresh drives.
func newLockClock(t *testing.T) *lockClock {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, 4)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatal(err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 2})
	if err != nil {
		t.Fatal(err)
	}
	layer := object.NewErasureLayer(set)
	t.Cleanup(func() { _ = layer.Close() })
	return &lockClock{t: t, layer: layer, start: time.Now().UTC().Truncate(time.Second)}
}

// send serves one request signed with creds (root when empty) at d after
// the start, by a handler whose clock reads that time.
func (c *lockClock) send(d time.Duration, method, target string, body []byte,
	hdr http.Header) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.sendAs(testCreds, d, method, target, body, hdr)
}

func (c *lockClock) sendAs(creds any, d time.Duration, method, target string, body []byte,
	hdr http.Header) *httptest.ResponseRecorder {
	c.t.Helper()
	at := c.start.Add(d)
	h, err := New(Config{Region: testRegion, Layer: c.layer, Keys: c.keys,
		Now:         func() time.Time { return at },
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		c.t.Fatal(err)
	}
	o := signOptions{at: at, header: hdr}
	if cr, ok := creds.(signOptions); ok {
		o.creds = cr.creds
	}
	return do(h, signedRequest(c.t, method, target, body, o))
}

// lockedBucket makes bucket "lck" with Object Lock.
func (c *lockClock) lockedBucket() {
	c.t.Helper()
	w := c.send(0, http.MethodPut, "/lck", nil,
		http.Header{"X-Amz-Bucket-Object-Lock-Enabled": {"true"}})
	mustStatus(c.t, w, http.StatusOK, "")
}

// put stores a small object in "lk" with hdr and returns its version.
func (c *lockClock) put(key string, hdr http.Header) string {
	c.t.Helper()
	body := []byte("locked bytes")
	sum := md5.Sum(body)
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
	w := c.send(0, http.MethodPut, "/lck/"+key, body, hdr)
	mustStatus(c.t, w, http.StatusOK, "")
	return w.Header().Get("X-Amz-Version-Id")
}

func retentionHeaders(mode string, until time.Time) http.Header {
	return http.Header{hdrLockMode: {mode}, hdrLockRetainUntil: {until.Format(time.RFC3339)}}
}

func retentionXML(mode string, until time.Time) []byte {
	b, _ := xml.Marshal(retentionBody{Mode: mode, RetainUntilDate: until.Format(time.RFC3339)})
	return b
}

func TestParseObjectLockConfiguration(t *testing.T) {
	t.Parallel()
	const enabled = `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>`
	rule := func(inner string) string {
		return enabled + `<Rule><DefaultRetention>` + inner +
			`</DefaultRetention></Rule></ObjectLockConfiguration>`
	}
	tests := []struct {
		name string
		body string
		want object.BucketLockConfig
		code string
	}{
		{"Enabled alone has no default", enabled + `</ObjectLockConfiguration>`,
			object.BucketLockConfig{Enabled: true}, ""},
		{"a default in days is read", rule(`<Mode>GOVERNANCE</Mode><Days>3</Days>`),
			object.BucketLockConfig{Enabled: true, DefaultMode: "GOVERNANCE", DefaultDays: 3}, ""},
		{"a default in years is read", rule(`<Mode>COMPLIANCE</Mode><Years>2</Years>`),
			object.BucketLockConfig{Enabled: true, DefaultMode: "COMPLIANCE", DefaultYears: 2}, ""},
		{"days and years together are malformed",
			rule(`<Mode>COMPLIANCE</Mode><Days>1</Days><Years>2</Years>`),
			object.BucketLockConfig{},
			"MalformedXML"},
		{"a default without a period is malformed", rule(`<Mode>COMPLIANCE</Mode>`),
			object.BucketLockConfig{}, "MalformedXML"},
		{"an unknown mode is malformed", rule(`<Mode>FOREVER</Mode><Days>1</Days>`),
			object.BucketLockConfig{}, "MalformedXML"},
		{"zero days is an invalid argument", rule(`<Mode>GOVERNANCE</Mode><Days>0</Days>`),
			object.BucketLockConfig{}, "InvalidArgument"},
		{"a century and a year is too long", rule(`<Mode>GOVERNANCE</Mode><Years>101</Years>`),
			object.BucketLockConfig{}, "InvalidArgument"},
		{"Disabled is malformed", `<ObjectLockConfiguration><ObjectLockEnabled>Disabled` +
			`</ObjectLockEnabled></ObjectLockConfiguration>`, object.BucketLockConfig{},
			"MalformedXML"},
		{"an empty body is malformed", ``, object.BucketLockConfig{}, "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseObjectLockConfiguration([]byte(tt.body))
			if code := errCode(err); code != tt.code || got != tt.want {
				t.Errorf("got %+v, %q; want %+v, %q", got, code, tt.want, tt.code)
			}
		})
	}
}

// errCode is the S3 code of err, "" for nil.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	return toAPIError(err).code
}

func TestParseRetentionAndLegalHold(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		parse func() error
		code  string
	}{
		{"a retention ahead is accepted", func() error {
			_, err := parseRetention(retentionXML("COMPLIANCE", now.Add(time.Hour)), now)
			return err
		}, ""},
		{"an empty retention removes it", func() error {
			r, err := parseRetention([]byte(`<Retention></Retention>`), now)
			if err == nil && r.mode != "" {
				return fmt.Errorf("got mode %q", r.mode)
			}
			return err
		}, ""},
		{"a retention in the past is an invalid argument", func() error {
			_, err := parseRetention(retentionXML("GOVERNANCE", now.Add(-time.Hour)), now)
			return err
		}, "InvalidArgument"},
		{"a date not in ISO 8601 is an invalid argument", func() error {
			_, err := parseRetention([]byte(`<Retention><Mode>GOVERNANCE</Mode>`+
				`<RetainUntilDate>tomorrow</RetainUntilDate></Retention>`), now)
			return err
		}, "InvalidArgument"},
		{"a mode without a date is malformed", func() error {
			_, err := parseRetention([]byte(`<Retention><Mode>GOVERNANCE</Mode></Retention>`), now)
			return err
		}, "MalformedXML"},
		{"legal hold ON is accepted", func() error {
			_, err := parseLegalHold([]byte(`<LegalHold><Status>ON</Status></LegalHold>`))
			return err
		}, ""},
		{"legal hold on in lower case is malformed", func() error {
			_, err := parseLegalHold([]byte(`<LegalHold><Status>on</Status></LegalHold>`))
			return err
		}, "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if code := errCode(tt.parse()); code != tt.code {
				t.Errorf("got %q, want %q", code, tt.code)
			}
		})
	}
}

func TestLockHeadersOfWrites(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	days := object.BucketLockConfig{Enabled: true, DefaultMode: object.LockGovernance,
		DefaultDays: 2}
	tests := []struct {
		name string
		hdr  http.Header
		cfg  object.BucketLockConfig
		want object.ObjectLock
		code string
	}{
		{"no headers and no default give nothing", http.Header{},
			object.BucketLockConfig{Enabled: true}, object.ObjectLock{}, ""},
		{"no headers take the default retention", http.Header{}, days,
			object.ObjectLock{Mode: "GOVERNANCE", RetainUntil: now.AddDate(0, 0, 2)}, ""},
		{"headers win over the default", retentionHeaders("COMPLIANCE", now.Add(time.Hour)), days,
			object.ObjectLock{Mode: "COMPLIANCE", RetainUntil: now.Add(time.Hour)}, ""},
		{"a mode without a date is an invalid argument", http.Header{hdrLockMode: {"COMPLIANCE"}},
			days, object.ObjectLock{}, "InvalidArgument"},
		{"a date in the past is an invalid argument",
			retentionHeaders("COMPLIANCE", now.Add(-time.Hour)), days, object.ObjectLock{},
			"InvalidArgument"},
		{"an unknown mode is an invalid argument", retentionHeaders("STRICT", now.Add(time.Hour)),
			days, object.ObjectLock{}, "InvalidArgument"},
		{"a legal hold is kept beside the default",
			http.Header{hdrLockLegalHold: {"ON"}}, days, object.ObjectLock{Mode: "GOVERNANCE",
				RetainUntil: now.AddDate(0, 0, 2), LegalHold: "ON"}, ""},
		{"a legal hold other than ON or OFF is an invalid argument",
			http.Header{hdrLockLegalHold: {"yes"}}, days, object.ObjectLock{}, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := lockFromHeaders(tt.hdr, tt.cfg, now)
			if code := errCode(err); code != tt.code {
				t.Fatalf("got %q, want %q", code, tt.code)
			}
			if err == nil && (got.Mode != tt.want.Mode || got.LegalHold != tt.want.LegalHold ||
				!got.RetainUntil.Equal(tt.want.RetainUntil)) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestALockedBucketKeepsVersioningAndItsConfiguration(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	c.lockedBucket()

	w := c.send(0, http.MethodGet, "/lck?versioning", nil, nil)
	if !strings.Contains(w.Body.String(), "<Status>Enabled</Status>") {
		t.Errorf("versioning of a locked bucket: got %s, want Enabled", w.Body.String())
	}
	w = c.send(0, http.MethodPut, "/lck?versioning", versioningBody("Suspended", ""), nil)
	mustStatus(t, w, http.StatusConflict, "InvalidBucketState")

	w = c.send(0, http.MethodGet, "/lck?object-lock", nil, nil)
	mustStatus(t, w, http.StatusOK, "")
	if !strings.Contains(w.Body.String(), "<ObjectLockEnabled>Enabled</ObjectLockEnabled>") ||
		strings.Contains(w.Body.String(), "<Rule>") {
		t.Errorf("configuration of a new locked bucket: got %s", w.Body.String())
	}
	cfg := `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>` +
		`<DefaultRetention><Mode>COMPLIANCE</Mode><Days>1</Days></DefaultRetention></Rule>` +
		`</ObjectLockConfiguration>`
	mustStatus(t, c.send(0, http.MethodPut, "/lck?object-lock", []byte(cfg), nil), 200, "")
	w = c.send(0, http.MethodGet, "/lck?object-lock", nil, nil)
	if !strings.Contains(w.Body.String(), "<Mode>COMPLIANCE</Mode><Days>1</Days>") {
		t.Errorf("configuration with a default: got %s", w.Body.String())
	}

	id := c.put("by-default", nil)
	w = c.send(time.Minute, http.MethodHead, "/lck/by-default", nil, nil)
	want := formatXMLTime(c.start.AddDate(0, 0, 1))
	if w.Header().Get(hdrLockMode) != "COMPLIANCE" || w.Header().Get(hdrLockRetainUntil) != want {
		t.Errorf("default retention on HEAD: got %q until %q, want COMPLIANCE until %q",
			w.Header().Get(hdrLockMode), w.Header().Get(hdrLockRetainUntil), want)
	}
	w = c.send(time.Minute, http.MethodDelete, "/lck/by-default?versionId="+id, nil, nil)
	mustStatus(t, w, http.StatusForbidden, "AccessDenied")
	w = c.send(25*time.Hour, http.MethodDelete, "/lck/by-default?versionId="+id, nil, nil)
	mustStatus(t, w, http.StatusNoContent, "")
}

func TestABucketWithoutLockRefusesLockSettings(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	mustStatus(t, c.send(0, http.MethodPut, "/plain", nil, nil), http.StatusOK, "")
	mustStatus(t, c.send(0, http.MethodPut, "/plain/k", []byte("x"), nil), http.StatusOK, "")
	ahead := c.start.Add(time.Hour)

	w := c.send(0, http.MethodGet, "/plain?object-lock", nil, nil)
	mustStatus(t, w, http.StatusNotFound, "ObjectLockConfigurationNotFoundError")
	hdr := retentionHeaders("GOVERNANCE", ahead)
	hdr.Set("Content-Md5", "ugA/6nK9xJ5ftG8Y/1UBhQ==")
	w = c.send(0, http.MethodPut, "/plain/k2", []byte("hi"), hdr)
	mustStatus(t, w, http.StatusBadRequest, "InvalidRequest")
	w = c.send(0, http.MethodPut, "/plain/k?retention", retentionXML("GOVERNANCE", ahead), nil)
	mustStatus(t, w, http.StatusBadRequest, "InvalidRequest")
	w = c.send(0, http.MethodGet, "/plain/k?legal-hold", nil, nil)
	mustStatus(t, w, http.StatusBadRequest, "InvalidRequest")

	enable := []byte(`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>` +
		`</ObjectLockConfiguration>`)
	w = c.send(0, http.MethodPut, "/plain?object-lock", enable, nil)
	mustStatus(t, w, http.StatusConflict, "InvalidBucketState")
	w = c.send(0, http.MethodPut, "/plain?versioning", versioningBody("Enabled", ""), nil)
	mustStatus(t, w, http.StatusOK, "")
	w = c.send(0, http.MethodPut, "/plain?object-lock", enable, nil)
	mustStatus(t, w, http.StatusOK, "")
	w = c.send(0, http.MethodPut, "/plain/k?retention", retentionXML("GOVERNANCE", ahead), nil)
	mustStatus(t, w, http.StatusOK, "")
}

func TestAPutWithLockHeadersNeedsAnIntegrityHeader(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	c.lockedBucket()
	ahead := c.start.Add(time.Hour)
	md5sum := md5.Sum([]byte("hi"))
	crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte("hi")))
	tests := []struct {
		name   string
		extra  http.Header
		status int
		code   string
	}{
		{"without Content-MD5 or a checksum it is refused", http.Header{}, 400, "InvalidRequest"},
		{"with Content-MD5 it is stored", http.Header{
			"Content-Md5": {base64.StdEncoding.EncodeToString(md5sum[:])}}, 200, ""},
		{"with a checksum header it is stored", http.Header{
			"X-Amz-Checksum-Crc32": {base64.StdEncoding.EncodeToString(crc)}}, 200, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := retentionHeaders("GOVERNANCE", ahead)
			for k, v := range tt.extra {
				hdr[k] = v
			}
			w := c.send(0, http.MethodPut, fmt.Sprintf("/lck/k%d", i), []byte("hi"), hdr)
			mustStatus(t, w, tt.status, tt.code)
		})
	}
	w := c.send(0, http.MethodGet, "/lck/k1", nil, nil)
	if w.Header().Get(hdrLockMode) != "GOVERNANCE" ||
		w.Header().Get(hdrLockRetainUntil) != formatXMLTime(ahead) {
		t.Errorf("GET: got %q until %q, want GOVERNANCE until %s", w.Header().Get(hdrLockMode),
			w.Header().Get(hdrLockRetainUntil), formatXMLTime(ahead))
	}
}

func TestLockedVersionsResistDeletes(t *testing.T) {
	t.Parallel()
	bypass := http.Header{hdrBypassGovern: {"true"}}
	tests := []struct {
		name   string
		put    func(ahead time.Time) http.Header
		after  time.Duration
		hdr    http.Header
		status int
	}{
		{"COMPLIANCE ahead keeps the version", func(a time.Time) http.Header {
			return retentionHeaders("COMPLIANCE", a)
		}, 0, nil, http.StatusForbidden},
		{"COMPLIANCE ahead ignores bypass", func(a time.Time) http.Header {
			return retentionHeaders("COMPLIANCE", a)
		}, 0, bypass, http.StatusForbidden},
		{"COMPLIANCE that ended lets the version go", func(a time.Time) http.Header {
			return retentionHeaders("COMPLIANCE", a)
		}, 2 * time.Hour, nil, http.StatusNoContent},
		{"GOVERNANCE ahead keeps the version", func(a time.Time) http.Header {
			return retentionHeaders("GOVERNANCE", a)
		}, 0, nil, http.StatusForbidden},
		{"GOVERNANCE gives way to the root key's bypass", func(a time.Time) http.Header {
			return retentionHeaders("GOVERNANCE", a)
		}, 0, bypass, http.StatusNoContent},
		{"a legal hold keeps the version after its retention", func(a time.Time) http.Header {
			h := retentionHeaders("GOVERNANCE", a)
			h.Set(hdrLockLegalHold, "ON")
			return h
		}, 2 * time.Hour, bypass, http.StatusForbidden},
		{"a legal hold OFF keeps nothing", func(time.Time) http.Header {
			return http.Header{hdrLockLegalHold: {"OFF"}}
		}, 0, nil, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newLockClock(t)
			c.lockedBucket()
			id := c.put("k", tt.put(c.start.Add(time.Hour)))
			w := c.send(tt.after, http.MethodDelete, "/lck/k?versionId="+id, nil, tt.hdr)
			mustStatus(t, w, tt.status, map[int]string{403: "AccessDenied"}[tt.status])
			w = c.send(tt.after, http.MethodHead, "/lck/k?versionId="+id, nil, nil)
			if kept := w.Code == http.StatusOK; kept != (tt.status == http.StatusForbidden) {
				t.Errorf("HEAD of the version after the delete: got %d", w.Code)
			}
		})
	}
}

func TestADeleteWithoutVersionAddsAMarkerOverALockedVersion(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	c.lockedBucket()
	id := c.put("k", retentionHeaders("COMPLIANCE", c.start.Add(time.Hour)))
	w := c.send(0, http.MethodDelete, "/lck/k", nil, nil)
	mustStatus(t, w, http.StatusNoContent, "")
	if w.Header().Get("X-Amz-Delete-Marker") != "true" {
		t.Errorf("got no delete marker")
	}
	mustStatus(t, c.send(0, http.MethodHead, "/lck/k?versionId="+id, nil, nil), 200, "")
}

func TestRetentionAndLegalHoldSubresources(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	c.lockedBucket()
	id := c.put("k", nil)
	ahead, further := c.start.Add(time.Hour), c.start.Add(2*time.Hour)
	v := "/lck/k?versionId=" + id + "&"
	steps := []struct {
		name   string
		method string
		target string
		body   []byte
		hdr    http.Header
		status int
		want   string // in the answer's body
	}{
		{"a version without retention has none to show", "GET", v + "retention", nil, nil,
			404, "NoSuchObjectLockConfiguration"},
		{"a version without legal hold has none to show", "GET", v + "legal-hold", nil, nil,
			404, "NoSuchObjectLockConfiguration"},
		{"COMPLIANCE is set", "PUT", v + "retention", retentionXML("COMPLIANCE", ahead), nil,
			200, ""},
		{"COMPLIANCE is shown", "GET", v + "retention", nil, nil, 200,
			"<Mode>COMPLIANCE</Mode><RetainUntilDate>" + formatXMLTime(ahead)},
		{"COMPLIANCE is not shortened", "PUT", v + "retention",
			retentionXML("COMPLIANCE", c.start.Add(time.Minute)), nil, 403, "AccessDenied"},
		{"COMPLIANCE does not become GOVERNANCE", "PUT", v + "retention",
			retentionXML("GOVERNANCE", further), http.Header{hdrBypassGovern: {"true"}}, 403,
			"AccessDenied"},
		{"COMPLIANCE is extended", "PUT", v + "retention", retentionXML("COMPLIANCE", further),
			nil, 200, ""},
		{"a legal hold is set", "PUT", v + "legal-hold",
			[]byte(`<LegalHold><Status>ON</Status></LegalHold>`), nil, 200, ""},
		{"the legal hold is shown", "GET", v + "legal-hold", nil, nil, 200, "<Status>ON</Status>"},
		{"the current version's legal hold is the same", "GET", "/lck/k?legal-hold", nil, nil, 200,
			"<Status>ON</Status>"},
		{"HEAD shows the legal hold", "HEAD", "/lck/k", nil, nil, 200, ""},
		{"a legal hold with a bad status is malformed", "PUT", v + "legal-hold",
			[]byte(`<LegalHold><Status>MAYBE</Status></LegalHold>`), nil, 400, "MalformedXML"},
		{"a missing version has no retention", "GET",
			"/lck/k?versionId=AAAAAAAAAAAAAAAAAAAAAAAAAA&retention", nil, nil,
			404, "NoSuchVersion"},
	}
	for _, s := range steps {
		w := c.send(0, s.method, s.target, s.body, s.hdr)
		if w.Code != s.status || !strings.Contains(w.Body.String(), s.want) {
			t.Fatalf("%s: got %d %s, want %d with %q", s.name, w.Code, w.Body.String(), s.status,
				s.want)
		}
	}
	w := c.send(0, http.MethodHead, "/lck/k", nil, nil)
	if w.Header().Get(hdrLockLegalHold) != "ON" || w.Header().Get(hdrLockMode) != "COMPLIANCE" {
		t.Errorf("HEAD: got %v, want the legal hold and the retention", w.Header())
	}
}

func TestDeleteObjectsRefusesLockedVersionsOneByOne(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	c.lockedBucket()
	locked := c.put("locked", retentionHeaders("GOVERNANCE", c.start.Add(time.Hour)))
	free := c.put("free", nil)
	body := []byte(`<Delete><Object><Key>locked</Key><VersionId>` + locked + `</VersionId>` +
		`</Object><Object><Key>free</Key><VersionId>` + free + `</VersionId></Object></Delete>`)
	w := c.send(0, http.MethodPost, "/lck?delete", body, nil)
	mustStatus(t, w, http.StatusOK, "")
	got := w.Body.String()
	if !strings.Contains(got, "<Key>locked</Key><VersionId>"+locked+"</VersionId>"+
		"<Code>AccessDenied</Code>") || !strings.Contains(got, "<Deleted><Key>free</Key>") {
		t.Errorf("without bypass: got %s, want locked refused and free deleted", got)
	}
	w = c.send(0, http.MethodPost, "/lck?delete", body, http.Header{hdrBypassGovern: {"true"}})
	if got := w.Body.String(); strings.Contains(got, "<Error>") {
		t.Errorf("with bypass: got %s, want every version deleted", got)
	}
	w = c.send(0, http.MethodDelete, "/lck", nil, nil)
	mustStatus(t, w, http.StatusNoContent, "")
}

func TestABucketWithLockedVersionsIsNotDeleted(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	c.lockedBucket()
	c.put("k", retentionHeaders("COMPLIANCE", c.start.Add(time.Hour)))
	mustStatus(t, c.send(0, http.MethodDelete, "/lck/k", nil, nil), http.StatusNoContent, "")
	w := c.send(0, http.MethodDelete, "/lck", nil, nil)
	mustStatus(t, w, http.StatusConflict, "BucketNotEmpty")
}

func TestBypassNeedsItsPermissionForOtherKeys(t *testing.T) {
	t.Parallel()
	const deleteOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["s3:DeleteObjectVersion"],"Resource":"arn:aws:s3:::lck/*"}]}`
	const withBypass = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["s3:DeleteObjectVersion","s3:BypassGovernanceRetention"],` +
		`"Resource":"arn:aws:s3:::lck/*"}]}`
	tests := []struct {
		name   string
		doc    string
		status int
	}{
		{"a key without s3:BypassGovernanceRetention cannot bypass", deleteOnly, 403},
		{"a key with s3:BypassGovernanceRetention bypasses", withBypass, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newLockClock(t)
			p, err := policy.ParseIdentity([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			c.keys, err = NewStaticKeys([]Key{{Name: "alice", Policy: p, Credentials: Credentials{
				AccessKeyID: userAccessKey, SecretAccessKey: userSecret}}})
			if err != nil {
				t.Fatal(err)
			}
			c.lockedBucket()
			id := c.put("k", retentionHeaders("GOVERNANCE", c.start.Add(time.Hour)))
			w := c.sendAs(signOptions{creds: userCreds}, 0, http.MethodDelete,
				"/lck/k?versionId="+id, nil, http.Header{hdrBypassGovern: {"true"}})
			if w.Code != tt.status {
				t.Errorf("got %d %s, want %d", w.Code, w.Body.String(), tt.status)
			}
		})
	}
}

func TestObjectLockRequestsMapToTheirActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, target, want string
	}{
		{"PUT", "/b?object-lock", "s3:PutBucketObjectLockConfiguration"},
		{"GET", "/b?object-lock", "s3:GetBucketObjectLockConfiguration"},
		{"PUT", "/b/k?retention", "s3:PutObjectRetention"},
		{"GET", "/b/k?retention&versionId=v", "s3:GetObjectRetention"},
		{"PUT", "/b/k?legal-hold&versionId=v", "s3:PutObjectLegalHold"},
		{"GET", "/b/k?legal-hold", "s3:GetObjectLegalHold"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target+" is "+tt.want, func(t *testing.T) {
			t.Parallel()
			req := newRequest(unsignedRequest(tt.method, tt.target, nil, nil))
			if got := requestAccess(req).action; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAWriteToAMissingBucketIsStillNoSuchBucket(t *testing.T) {
	t.Parallel()
	c := newLockClock(t)
	tests := []struct {
		name string
		hdr  http.Header
	}{
		{"without lock headers", nil},
		{"with lock headers", retentionHeaders("GOVERNANCE", c.start.Add(time.Hour))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}
			for k, v := range tt.hdr {
				hdr[k] = v
			}
			w := c.send(0, http.MethodPut, "/missing/k", nil, hdr)
			mustStatus(t, w, http.StatusNotFound, "NoSuchBucket")
		})
	}
}
