package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/strata-storage/strata/internal/s3tag"
	"github.com/strata-storage/strata/storaged/object"
)

// Tag limits, as in S3.
const (
	maxObjectTags  = 10
	maxBucketTags  = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// tagging is the body of PutObjectTagging and PutBucketTagging and the
// answer of their Get forms.
type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  tagSet   `xml:"TagSet"`
}

type tagSet struct {
	Tags []tag `xml:"Tag"`
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// parseTagging decodes a Tagging document and checks it against the
// limit on the number of tags and S3's rules for keys and values.
func parseTagging(body []byte, limit int) (map[string]string, error) {
	var t tagging
	if err := xml.Unmarshal(bytes.TrimSpace(body), &t); err != nil {
		return nil, newError("MalformedXML")
	}
	pairs := make([][2]string, len(t.TagSet.Tags))
	for i, tg := range t.TagSet.Tags {
		pairs[i] = [2]string{tg.Key, tg.Value}
	}
	return checkTags(pairs, limit)
}

// tagsHeader reads the x-amz-tagging header of an upload: URL query
// encoded pairs, at most maxObjectTags of them.
func tagsHeader(hdr http.Header) (map[string]string, error) {
	v, ok := hdr["X-Amz-Tagging"]
	if !ok {
		return nil, nil
	}
	q, err := url.ParseQuery(strings.Join(v, "&"))
	if err != nil {
		return nil, errorf("InvalidArgument", "The x-amz-tagging header is not URL query encoded.")
	}
	var pairs [][2]string
	for k, values := range q {
		for _, value := range values {
			pairs = append(pairs, [2]string{k, value})
		}
	}
	return checkTags(pairs, maxObjectTags)
}

// checkTags applies S3's tag rules: at most limit tags with distinct keys
// of 1 to 128 characters, values of at most 256, letters, digits, spaces
// and + - = . _ : / @ only, and no key starting with "aws:".
func checkTags(pairs [][2]string, limit int) (map[string]string, error) {
	if len(pairs) > limit {
		return nil, errorf("InvalidTag", "A set may hold at most %d tags; this one holds %d.",
			limit, len(pairs))
	}
	tags := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v := p[0], p[1]
		if err := checkTag(k, v); err != nil {
			return nil, err
		}
		if _, dup := tags[k]; dup {
			return nil, errorf("InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		tags[k] = v
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return tags, nil
}

// checkTag checks one key and value.
func checkTag(k, v string) error {
	switch n := utf8.RuneCountInString(k); {
	case n == 0 || n > maxTagKeyLen || !s3tag.ValidText(k):
		return errorf("InvalidTag", "The TagKey you have provided is invalid: it must be 1 to %d "+
			"%s.", maxTagKeyLen, s3tag.Allowed)
	case utf8.RuneCountInString(v) > maxTagValueLen || !s3tag.ValidText(v):
		return errorf("InvalidTag", "The TagValue you have provided is invalid: "+
			"it must be at most "+
			"%d %s.", maxTagValueLen, s3tag.Allowed)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return errorf("InvalidTag", "Your TagKey cannot be prefixed with aws:")
	}
	return nil
}

// tagDocument renders tags as a Tagging answer, sorted by key.
func tagDocument(tags map[string]string) tagging {
	t := tagging{Xmlns: s3Namespace}
	for k, v := range tags {
		t.TagSet.Tags = append(t.TagSet.Tags, tag{Key: k, Value: v})
	}
	set := t.TagSet.Tags
	sort.Slice(set, func(i, j int) bool { return set[i].Key < set[j].Key })
	return t
}

// putObjectTagging is PutObjectTagging: PUT /bucket/key?tagging.
func (h *Handler) putObjectTagging(w http.ResponseWriter, req *request) error {
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	tags, err := parseTagging(body, maxObjectTags)
	if err != nil {
		return err
	}
	info, err := h.putTags(req, tags)
	if err != nil {
		return err
	}
	setVersionHeader(w.Header(), "X-Amz-Version-Id", info.VersionID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// getObjectTagging is GetObjectTagging: GET /bucket/key?tagging.
func (h *Handler) getObjectTagging(w http.ResponseWriter, req *request) error {
	info, err := h.headAt(req.r.Context(), req)
	if err != nil {
		return err
	}
	setVersionHeader(w.Header(), "X-Amz-Version-Id", info.VersionID)
	writeXML(w, http.StatusOK, tagDocument(info.Tags))
	return nil
}

// deleteObjectTagging is DeleteObjectTagging: DELETE /bucket/key?tagging.
func (h *Handler) deleteObjectTagging(w http.ResponseWriter, req *request) error {
	info, err := h.putTags(req, nil)
	if err != nil {
		return err
	}
	setVersionHeader(w.Header(), "X-Amz-Version-Id", info.VersionID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// putTags replaces the tags of the object, or of the version the request
// names.
func (h *Handler) putTags(req *request, tags map[string]string) (object.ObjectInfo, error) {
	ctx := req.r.Context()
	if id, ok := versionArg(req); ok && (id != object.NullVersion || h.canVersion()) {
		v, err := h.versioned()
		if err != nil {
			return object.ObjectInfo{}, err
		}
		return v.PutObjectVersionTags(ctx, req.bucket, req.key, id, tags)
	}
	ot, err := h.objectTagger()
	if err != nil {
		return object.ObjectInfo{}, err
	}
	return ot.PutObjectTags(ctx, req.bucket, req.key, tags)
}

// putBucketTagging is PutBucketTagging: PUT /bucket?tagging.
func (h *Handler) putBucketTagging(w http.ResponseWriter, req *request) error {
	bt, err := h.bucketTagger()
	if err != nil {
		return err
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	tags, err := parseTagging(body, maxBucketTags)
	if err != nil {
		return err
	}
	if err := bt.PutBucketTags(req.r.Context(), req.bucket, tags); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getBucketTagging is GetBucketTagging: GET /bucket?tagging; a bucket
// without tags is NoSuchTagSet, as in S3.
func (h *Handler) getBucketTagging(w http.ResponseWriter, req *request) error {
	bt, err := h.bucketTagger()
	if err != nil {
		return err
	}
	tags, err := bt.BucketTags(req.r.Context(), req.bucket)
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return newError("NoSuchTagSet")
	}
	writeXML(w, http.StatusOK, tagDocument(tags))
	return nil
}

// deleteBucketTagging is DeleteBucketTagging: DELETE /bucket?tagging.
func (h *Handler) deleteBucketTagging(w http.ResponseWriter, req *request) error {
	bt, err := h.bucketTagger()
	if err != nil {
		return err
	}
	if err := bt.PutBucketTags(req.r.Context(), req.bucket, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
