package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// fakeLayer is an in-memory test double of object.Layer. It keeps the
// contract's rules that the S3 surface relies on (errors, listing order,
// commit only after the body read to io.EOF, preconditions checked
// atomically with the write, the part rules of object.SelectParts) and
// nothing more.
type fakeLayer struct {
	mu         sync.Mutex
	buckets    map[string]time.Time
	bucketTags map[string]map[string]string
	objects    map[string]map[string]fakeObject
	uploads    map[string]*fakeUpload
	// listErr, when set, fails ListBuckets (for readiness tests).
	listErr error
}

type fakeObject struct {
	info object.ObjectInfo
	data []byte
}

type fakeUpload struct {
	info  object.UploadInfo
	parts map[int]fakeObject // part info in info.Size, ETag, Checksums
}

var (
	_ object.Layer        = (*fakeLayer)(nil)
	_ object.Multipart    = (*fakeLayer)(nil)
	_ object.ObjectTagger = (*fakeLayer)(nil)
	_ object.BucketTagger = (*fakeLayer)(nil)
)

func newFakeLayer() *fakeLayer {
	return &fakeLayer{buckets: map[string]time.Time{}, objects: map[string]map[string]fakeObject{},
		bucketTags: map[string]map[string]string{}, uploads: map[string]*fakeUpload{}}
}

func (f *fakeLayer) MakeBucket(_ context.Context, bucket string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(bucket) < 3 || len(bucket) > 63 || strings.ToLower(bucket) != bucket ||
		strings.ContainsAny(bucket, "_ /") {
		return object.ErrInvalidBucketName
	}
	if _, ok := f.buckets[bucket]; ok {
		return object.ErrBucketExists
	}
	f.buckets[bucket] = time.Now()
	f.objects[bucket] = map[string]fakeObject{}
	return nil
}

func (f *fakeLayer) HeadBucket(_ context.Context, bucket string) (object.BucketInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	created, ok := f.buckets[bucket]
	if !ok {
		return object.BucketInfo{}, object.ErrBucketNotFound
	}
	return object.BucketInfo{Name: bucket, Created: created}, nil
}

func (f *fakeLayer) ListBuckets(context.Context) ([]object.BucketInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	var out []object.BucketInfo
	for name, created := range f.buckets {
		out = append(out, object.BucketInfo{Name: name, Created: created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeLayer) DeleteBucket(_ context.Context, bucket string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.buckets[bucket]; !ok {
		return object.ErrBucketNotFound
	}
	if len(f.objects[bucket]) > 0 {
		return object.ErrBucketNotEmpty
	}
	delete(f.buckets, bucket)
	delete(f.objects, bucket)
	delete(f.bucketTags, bucket)
	return nil
}

func (f *fakeLayer) PutBucketTags(ctx context.Context, bucket string,
	tags map[string]string) error {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bucketTags[bucket] = maps.Clone(tags)
	if len(tags) == 0 {
		delete(f.bucketTags, bucket)
	}
	return nil
}

func (f *fakeLayer) BucketTags(ctx context.Context, bucket string) (map[string]string, error) {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.bucketTags[bucket]), nil
}

// readBody reads a whole body of the declared size (-1: any).
func readBody(r io.Reader, size int64) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("fake: reading body: %w", err)
	}
	if size >= 0 && int64(len(data)) != size {
		return nil, object.ErrIncompleteBody
	}
	return data, nil
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func (f *fakeLayer) PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64,
	opts object.PutOptions) (object.ObjectInfo, error) {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return object.ObjectInfo{}, err
	}
	if len(key) > 1024 {
		return object.ObjectInfo{}, object.ErrKeyTooLong
	}
	data, err := readBody(r, size)
	if err != nil {
		return object.ObjectInfo{}, err
	}
	info := object.ObjectInfo{Bucket: bucket, Key: key, Size: int64(len(data)),
		ModTime: time.Now().UTC(), ETag: md5Hex(data), Metadata: opts.Metadata, Tags: opts.Tags}
	if opts.Checksums != nil {
		info.Checksums, info.ChecksumType = opts.Checksums(), object.ChecksumFullObject
	}
	return info, f.commit(bucket, key, fakeObject{info: info, data: data}, opts.Precondition)
}

// commit stores o under the key once its precondition, if any, holds.
func (f *fakeLayer) commit(bucket, key string, o fakeObject,
	pre func(*object.ObjectInfo) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	objs, ok := f.objects[bucket]
	if !ok {
		return object.ErrBucketNotFound
	}
	if pre != nil {
		var cur *object.ObjectInfo
		if old, ok := objs[key]; ok {
			cur = &old.info
		}
		if err := pre(cur); err != nil {
			return fmt.Errorf("fake: precondition: %w", err)
		}
	}
	objs[key] = o
	return nil
}

func (f *fakeLayer) lookup(bucket, key string) (fakeObject, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	objs, ok := f.objects[bucket]
	if !ok {
		return fakeObject{}, object.ErrBucketNotFound
	}
	o, ok := objs[key]
	if !ok {
		return fakeObject{}, object.ErrObjectNotFound
	}
	return o, nil
}

func (f *fakeLayer) GetObject(_ context.Context, bucket, key string,
	rng *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	o, err := f.lookup(bucket, key)
	if err != nil {
		return object.ObjectInfo{}, nil, err
	}
	data := o.data
	if rng != nil {
		if rng.Start+rng.Length > int64(len(data)) {
			return object.ObjectInfo{}, nil, object.ErrInvalidRange
		}
		data = data[rng.Start : rng.Start+rng.Length]
	}
	return o.info, io.NopCloser(bytes.NewReader(data)), nil
}

func (f *fakeLayer) HeadObject(_ context.Context, bucket, key string) (object.ObjectInfo, error) {
	o, err := f.lookup(bucket, key)
	return o.info, err
}

func (f *fakeLayer) DeleteObject(_ context.Context, bucket, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	objs, ok := f.objects[bucket]
	if !ok {
		return object.ErrBucketNotFound
	}
	delete(objs, key)
	return nil
}

func (f *fakeLayer) PutObjectTags(_ context.Context, bucket, key string,
	tags map[string]string) (object.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[bucket][key]
	if !ok {
		return object.ObjectInfo{}, object.ErrObjectNotFound
	}
	o.info.Tags = maps.Clone(tags)
	if len(tags) == 0 {
		o.info.Tags = nil
	}
	f.objects[bucket][key] = o
	return o.info, nil
}

func (f *fakeLayer) ListObjects(_ context.Context, bucket string,
	opts object.ListOptions) (object.ListResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	objs, ok := f.objects[bucket]
	if !ok {
		return object.ListResult{}, object.ErrBucketNotFound
	}
	keys := make([]string, 0, len(objs))
	for k := range objs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fakeList(objs, keys, opts), nil
}

// fakeList pages sorted keys; a marker that is a common prefix skips
// every key under it.
func fakeList(objs map[string]fakeObject, keys []string,
	opts object.ListOptions) object.ListResult {
	var res object.ListResult
	count := 0
	for _, k := range keys {
		if !strings.HasPrefix(k, opts.Prefix) || k <= opts.Marker {
			continue
		}
		if opts.Delimiter != "" && strings.HasSuffix(opts.Marker, opts.Delimiter) &&
			strings.HasPrefix(k, opts.Marker) {
			continue
		}
		entry, isPrefix := k, false
		if opts.Delimiter != "" {
			rest := k[len(opts.Prefix):]
			if i := strings.Index(rest, opts.Delimiter); i >= 0 {
				entry, isPrefix = opts.Prefix+rest[:i+len(opts.Delimiter)], true
			}
		}
		if isPrefix && len(res.CommonPrefixes) > 0 &&
			res.CommonPrefixes[len(res.CommonPrefixes)-1] == entry {
			continue
		}
		if count == opts.MaxKeys {
			res.IsTruncated = true
			break
		}
		count++
		res.NextMarker = entry
		if isPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, entry)
		} else {
			res.Objects = append(res.Objects, objs[k].info)
		}
	}
	if !res.IsTruncated {
		res.NextMarker = ""
	}
	return res
}

func (f *fakeLayer) NewMultipartUpload(ctx context.Context, bucket, key string,
	opts object.UploadOptions) (object.UploadInfo, error) {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return object.UploadInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	up := object.UploadInfo{Bucket: bucket, Key: key, UploadID: rand.Text(),
		Initiated: time.Now().UTC(), UploadOptions: opts}
	f.uploads[up.UploadID] = &fakeUpload{info: up, parts: map[int]fakeObject{}}
	return up, nil
}

// upload returns the upload if it belongs to bucket/key; the caller holds
// f.mu.
func (f *fakeLayer) upload(bucket, key, uploadID string) (*fakeUpload, error) {
	if _, ok := f.buckets[bucket]; !ok {
		return nil, object.ErrBucketNotFound
	}
	up, ok := f.uploads[uploadID]
	if !ok || up.info.Bucket != bucket || up.info.Key != key {
		return nil, object.ErrNoSuchUpload
	}
	return up, nil
}

func (f *fakeLayer) MultipartUpload(_ context.Context, bucket, key,
	uploadID string) (object.UploadInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	up, err := f.upload(bucket, key, uploadID)
	if err != nil {
		return object.UploadInfo{}, err
	}
	return up.info, nil
}

func (f *fakeLayer) PutObjectPart(ctx context.Context, bucket, key, uploadID string, number int,
	r io.Reader, size int64, opts object.PartOptions) (object.PartInfo, error) {
	if number < 1 || number > object.MaxPartNumber {
		return object.PartInfo{}, object.ErrInvalidPartNumber
	}
	if _, err := f.MultipartUpload(ctx, bucket, key, uploadID); err != nil {
		return object.PartInfo{}, err
	}
	data, err := readBody(r, size)
	if err != nil {
		return object.PartInfo{}, err
	}
	p := object.PartInfo{Number: number, Size: int64(len(data)), ETag: md5Hex(data),
		ModTime: time.Now().UTC()}
	if opts.Checksums != nil {
		p.Checksums = opts.Checksums()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	up, err := f.upload(bucket, key, uploadID)
	if err != nil {
		return object.PartInfo{}, err
	}
	up.parts[number] = fakeObject{info: object.ObjectInfo{Size: p.Size, ETag: p.ETag,
		ModTime: p.ModTime, Checksums: p.Checksums}, data: data}
	return p, nil
}

// sortedParts returns an upload's parts in part order.
func (u *fakeUpload) sortedParts() []object.PartInfo {
	var out []object.PartInfo
	for n, p := range u.parts {
		out = append(out, object.PartInfo{Number: n, Size: p.info.Size, ETag: p.info.ETag,
			ModTime: p.info.ModTime, Checksums: p.info.Checksums})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (f *fakeLayer) CompleteMultipartUpload(_ context.Context, bucket, key, uploadID string,
	parts []object.CompletePart, opts object.CompleteOptions) (object.ObjectInfo, error) {
	f.mu.Lock()
	up, err := f.upload(bucket, key, uploadID)
	if err != nil {
		f.mu.Unlock()
		return object.ObjectInfo{}, err
	}
	chosen, err := object.SelectParts(up.sortedParts(), parts)
	if err != nil {
		f.mu.Unlock()
		return object.ObjectInfo{}, err
	}
	var data []byte
	for _, p := range chosen {
		data = append(data, up.parts[p.Number].data...)
	}
	info := object.ObjectInfo{Bucket: bucket, Key: key, Size: int64(len(data)),
		ModTime: time.Now().UTC(), ETag: object.MultipartETag(chosen),
		Metadata: up.info.Metadata, Tags: up.info.Tags, Parts: chosen}
	f.mu.Unlock()
	if opts.Checksums != nil {
		if info.Checksums, info.ChecksumType, err = opts.Checksums(up.info, chosen); err != nil {
			return object.ObjectInfo{}, err
		}
	}
	o := fakeObject{info: info, data: data}
	if err := f.commit(bucket, key, o, opts.Precondition); err != nil {
		return object.ObjectInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.uploads, uploadID)
	return info, nil
}

func (f *fakeLayer) AbortMultipartUpload(_ context.Context, bucket, key, uploadID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.upload(bucket, key, uploadID); err != nil {
		return err
	}
	delete(f.uploads, uploadID)
	return nil
}

func (f *fakeLayer) ListParts(_ context.Context, bucket, key, uploadID string,
	opts object.ListPartsOptions) (object.ListPartsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	up, err := f.upload(bucket, key, uploadID)
	if err != nil {
		return object.ListPartsResult{}, err
	}
	res := object.ListPartsResult{Upload: up.info}
	for _, p := range up.sortedParts() {
		if p.Number <= opts.Marker {
			continue
		}
		if opts.MaxParts > 0 && len(res.Parts) == opts.MaxParts {
			res.IsTruncated, res.NextMarker = true, res.Parts[len(res.Parts)-1].Number
			break
		}
		res.Parts = append(res.Parts, p)
	}
	return res, nil
}

func (f *fakeLayer) ListMultipartUploads(_ context.Context, bucket string,
	opts object.ListUploadsOptions) (object.ListUploadsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.buckets[bucket]; !ok {
		return object.ListUploadsResult{}, object.ErrBucketNotFound
	}
	var res object.ListUploadsResult
	for _, up := range f.uploads {
		if up.info.Bucket == bucket && strings.HasPrefix(up.info.Key, opts.Prefix) &&
			up.info.Key > opts.KeyMarker {
			res.Uploads = append(res.Uploads, up.info)
		}
	}
	sort.Slice(res.Uploads, func(i, j int) bool { return res.Uploads[i].Key < res.Uploads[j].Key })
	if opts.MaxUploads > 0 && len(res.Uploads) > opts.MaxUploads {
		res.Uploads = res.Uploads[:opts.MaxUploads]
		last := res.Uploads[len(res.Uploads)-1]
		res.IsTruncated, res.NextKeyMarker, res.NextUploadIDMarker = true, last.Key, last.UploadID
	}
	return res, nil
}
