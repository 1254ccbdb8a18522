package s3api

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/internal/policy"
	"github.com/strata-storage/strata/storaged/object"
)

// access is what one request asks to do, in policy terms: an S3 action
// on a bucket, or on an object when key is set.
type access struct {
	action string
	bucket string
	key    string
	// self means the operation authorizes itself: DeleteObjects checks
	// each key, a form upload checks the form's signer.
	self bool
}

// authorize decides whether req's identity may run the operation it was
// routed to. The root key may do everything. Any other key may do what
// its identity policy or the bucket's policy allows, unless either denies
// it explicitly; an anonymous request may do only what the bucket's policy
// allows. Anything else is AccessDenied.
func (h *Handler) authorize(req *request) error {
	if req.who.root {
		return nil
	}
	a := requestAccess(req)
	if a.self {
		return nil
	}
	if err := h.allow(req, a.action, a.bucket, a.key); err != nil {
		return err
	}
	return h.authorizeCopySource(req)
}

// authorizeCopySource demands read access to the source of a copy.
func (h *Handler) authorizeCopySource(req *request) error {
	v := req.r.Header.Get("X-Amz-Copy-Source")
	if v == "" || req.key == "" || req.r.Method != http.MethodPut || req.query.Has("tagging") {
		return nil
	}
	src, err := parseCopySource(v)
	if err != nil {
		return err
	}
	action := "s3:GetObject"
	if src.named && src.versionID != "" {
		action = "s3:GetObjectVersion"
	}
	return h.allow(req, action, src.bucket, src.key)
}

// allow decides one action on one resource for req's identity and
// returns nil or AccessDenied. bucket "" is the service (ListBuckets).
func (h *Handler) allow(req *request, action, bucket, key string) error {
	if req.who.root {
		return nil
	}
	pr := policy.Request{Principal: req.who.principal(), Action: action,
		Resource: resourceARN(bucket, key), Context: h.conditionContext(req)}
	d := policy.NoMatch
	if !req.who.anonymous && req.who.key.Policy != nil {
		d = req.who.key.Policy.Evaluate(pr)
	}
	if d == policy.ExplicitDeny {
		return newError("AccessDenied")
	}
	if bucket != "" {
		bp, err := h.cachedBucketPolicy(req, bucket)
		if err != nil {
			return err
		}
		if bp != nil {
			d = max(d, bp.Evaluate(pr))
		}
	}
	if d != policy.Allow {
		return newError("AccessDenied")
	}
	return nil
}

// resourceARN names a bucket or object as policies do; the service
// itself is arn:aws:s3:::*.
func resourceARN(bucket, key string) string {
	switch {
	case bucket == "":
		return "arn:aws:s3:::*"
	case key == "":
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

// cachedBucketPolicy returns the bucket's policy, reading it once per
// request; nil when it has none, when the bucket does not exist, or when
// the layer keeps no policies.
func (h *Handler) cachedBucketPolicy(req *request, bucket string) (*policy.Policy, error) {
	if p, ok := req.policies[bucket]; ok {
		return p, nil
	}
	p, err := h.bucketPolicy(req, bucket)
	if err != nil {
		return nil, err
	}
	if req.policies == nil {
		req.policies = map[string]*policy.Policy{}
	}
	req.policies[bucket] = p
	return p, nil
}

// bucketPolicy reads and parses the bucket's stored policy.
// TODO: cache parsed policies across requests; today every request by a
// key other than root reads the policy record from the drives.
func (h *Handler) bucketPolicy(req *request, bucket string) (*policy.Policy, error) {
	store, ok := h.layer.(object.BucketPolicyStore)
	if !ok {
		return nil, nil
	}
	doc, err := store.BucketPolicy(req.r.Context(), bucket)
	if errors.Is(err, object.ErrBucketNotFound) || errors.Is(err, object.ErrInvalidBucketName) {
		return nil, nil
	}
	if err != nil || doc == nil {
		return nil, err
	}
	p, err := policy.ParseBucket(doc)
	if err != nil {
		e := newError("InternalError")
		e.cause = err
		return nil, e
	}
	return p, nil
}

// conditionContext is the request's policy condition keys, built once.
func (h *Handler) conditionContext(req *request) map[string][]string {
	if req.conditions != nil {
		return req.conditions
	}
	r, now := req.r, h.now().UTC()
	c := map[string][]string{
		"aws:SecureTransport": {strconv.FormatBool(r.TLS != nil)},
		"aws:CurrentTime":     {now.Format("2006-01-02T15:04:05Z")},
		"aws:EpochTime":       {strconv.FormatInt(now.Unix(), 10)},
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c["aws:SourceIp"] = []string{host}
	}
	setIf(c, "aws:UserAgent", r.Header.Get("User-Agent"))
	setIf(c, "aws:Referer", r.Header.Get("Referer"))
	addIdentityKeys(c, req)
	addS3Keys(c, req)
	req.conditions = c
	return c
}

// addIdentityKeys sets aws:username, aws:userid and aws:PrincipalType.
func addIdentityKeys(c map[string][]string, req *request) {
	switch {
	case req.who.anonymous:
		c["aws:PrincipalType"] = []string{"Anonymous"}
		c["aws:userid"] = []string{"anonymous"}
	case req.who.root:
		c["aws:PrincipalType"] = []string{"Account"}
	default:
		c["aws:PrincipalType"] = []string{"User"}
		c["aws:username"] = []string{req.who.key.Name}
		c["aws:userid"] = []string{req.who.key.AccessKeyID}
	}
}

// addS3Keys sets the s3: condition keys of the request.
func addS3Keys(c map[string][]string, req *request) {
	q := req.query
	if req.bucket != "" && req.key == "" && req.r.Method == http.MethodGet {
		for _, name := range []string{"prefix", "delimiter", "max-keys"} {
			if q.Has(name) {
				c["s3:"+name] = []string{q.Get(name)}
			}
		}
	}
	if q.Has("versionId") {
		c["s3:VersionId"] = []string{q.Get("versionId")}
	}
	setIf(c, "s3:x-amz-content-sha256", req.r.Header.Get("X-Amz-Content-Sha256"))
	if req.authType != "" {
		c["s3:signatureversion"] = []string{signV4Algorithm}
		c["s3:authType"] = []string{req.authType}
	}
}

func setIf(c map[string][]string, key, value string) {
	if value != "" {
		c[key] = []string{value}
	}
}

// requestAccess maps a routed request to its S3 action and resource, as
// AWS documents them for each operation. It checks the sub-resources in the
// order route does, so that the action is the operation's that runs; a
// change to route's order must be made here too.
func requestAccess(req *request) access {
	switch {
	case selectors(req.query) > 1:
		// Only one operation can run; refuse what could be read as two.
		return access{bucket: req.bucket, key: req.key}
	case req.bucket == "":
		// ListBuckets, the only service-level operation routed. As in
		// AWS, a key its policy does not allow s3:ListAllMyBuckets is
		// refused, not shown an empty or filtered list.
		return access{action: "s3:ListAllMyBuckets"}
	case req.key == "" && req.r.Method == http.MethodPost:
		// DeleteObjects checks each key. A browser form upload (POST
		// Object) carries its signature in the form, not in the request:
		// its handler must set req.who from the form's credential and call
		// h.allow for s3:PutObject on the key before storing anything.
		return access{self: true}
	case req.key == "":
		return access{action: bucketAction(req), bucket: req.bucket}
	}
	return access{action: objectAction(req), bucket: req.bucket, key: req.key}
}

// bucketAction is the action of a bucket-level request other than POST;
// "" (which no policy allows) for a method S3 does not define.
func bucketAction(req *request) string {
	q := req.query
	switch req.r.Method {
	case http.MethodGet:
		return bucketGetAction(q)
	case http.MethodHead:
		return "s3:ListBucket"
	case http.MethodPut:
		return pick(q, "s3:CreateBucket", "cors", "s3:PutBucketCORS",
			"tagging", "s3:PutBucketTagging", "versioning", "s3:PutBucketVersioning",
			"policy", "s3:PutBucketPolicy",
			"object-lock", "s3:PutBucketObjectLockConfiguration",
			"lifecycle", "s3:PutLifecycleConfiguration")
	case http.MethodDelete:
		return pick(q, "s3:DeleteBucket", "cors", "s3:PutBucketCORS",
			"tagging", "s3:PutBucketTagging", "policy", "s3:DeleteBucketPolicy",
			"lifecycle", "s3:PutLifecycleConfiguration")
	}
	return ""
}

func bucketGetAction(q map[string][]string) string {
	return pick(q, "s3:ListBucket",
		"cors", "s3:GetBucketCORS",
		"lifecycle", "s3:GetLifecycleConfiguration",
		"location", "s3:GetBucketLocation",
		"object-lock", "s3:GetBucketObjectLockConfiguration",
		"policy", "s3:GetBucketPolicy",
		"policyStatus", "s3:GetBucketPolicyStatus",
		"tagging", "s3:GetBucketTagging",
		"uploads", "s3:ListBucketMultipartUploads",
		"versioning", "s3:GetBucketVersioning",
		"versions", "s3:ListBucketVersions")
}

// objectAction is the action of an object-level request.
func objectAction(req *request) string {
	q := req.query
	version := q.Get("versionId") != "" && q.Get("versionId") != object.NullVersion
	switch req.r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case q.Has("attributes"):
			return versioned(version, "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes")
		case q.Has("legal-hold"):
			return "s3:GetObjectLegalHold"
		case q.Has("retention"):
			return "s3:GetObjectRetention"
		case q.Has("tagging"):
			return versioned(version, "s3:GetObjectTagging", "s3:GetObjectVersionTagging")
		case q.Has("uploadId"):
			return "s3:ListMultipartUploadParts"
		}
		return versioned(version, "s3:GetObject", "s3:GetObjectVersion")
	case http.MethodPut:
		switch {
		case q.Has("legal-hold"):
			return "s3:PutObjectLegalHold"
		case q.Has("retention"):
			return "s3:PutObjectRetention"
		case q.Has("tagging"):
			return versioned(version, "s3:PutObjectTagging", "s3:PutObjectVersionTagging")
		}
		return "s3:PutObject"
	case http.MethodDelete:
		switch {
		case q.Has("tagging"):
			return versioned(version, "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging")
		case q.Has("uploadId"):
			return "s3:AbortMultipartUpload"
		}
		return versioned(version, "s3:DeleteObject", "s3:DeleteObjectVersion")
	case http.MethodPost:
		if q.Has("uploads") || q.Has("uploadId") {
			return "s3:PutObject"
		}
	}
	return ""
}

func versioned(version bool, plain, withVersion string) string {
	if version {
		return withVersion
	}
	return plain
}

// pick returns the action paired with the first sub-resource of pairs
// (name, action, name, action, ...) that q holds, or def.
func pick(q map[string][]string, def string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, ok := q[pairs[i]]; ok {
			return pairs[i+1]
		}
	}
	return def
}

// selectors counts the sub-resources of q that select an operation, as
// opposed to those that qualify one (versionId, uploadId, partNumber).
func selectors(q map[string][]string) int {
	n := 0
	for name := range q {
		switch name {
		case "versionId", "uploadId", "partNumber":
		default:
			if isSubresource(name) {
				n++
			}
		}
	}
	return n
}

// authorizeDelete decides one key of DeleteObjects.
func (h *Handler) authorizeDelete(req *request, key, versionID string) error {
	action := "s3:DeleteObject"
	if versionID != "" && versionID != object.NullVersion {
		action = "s3:DeleteObjectVersion"
	}
	return h.allow(req, action, req.bucket, key)
}

// isPublic reports whether a bucket policy grants anything to everyone
// without conditions, as GetBucketPolicyStatus's IsPublic does.
func isPublic(p *policy.Policy) bool {
	for _, s := range p.Statements {
		if s.Effect != policy.EffectAllow || len(s.Conditions) > 0 {
			continue
		}
		if s.NotPrincipal != nil || s.Principal != nil && hasStar(s.Principal.AWS) {
			return true
		}
	}
	return false
}

func hasStar(list []string) bool {
	for _, v := range list {
		if strings.TrimSpace(v) == "*" {
			return true
		}
	}
	return false
}
