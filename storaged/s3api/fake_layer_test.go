package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// fakeLayer is an in-memory test double of object.Layer. It keeps the
// contract's rules that the S3 surface relies on (errors, listing order,
// commit only after the body read to io.EOF) and nothing more.
type fakeLayer struct {
	mu      sync.Mutex
	buckets map[string]time.Time
	objects map[string]map[string]fakeObject
	// listErr, when set, fails ListBuckets (for readiness tests).
	listErr error
}

type fakeObject struct {
	info object.ObjectInfo
	data []byte
}

var _ object.Layer = (*fakeLayer)(nil)

func newFakeLayer() *fakeLayer {
	return &fakeLayer{buckets: map[string]time.Time{}, objects: map[string]map[string]fakeObject{}}
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
	return nil
}

func (f *fakeLayer) PutObject(ctx context.Context, bucket, key string, r io.Reader, size int64,
	opts object.PutOptions) (object.ObjectInfo, error) {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return object.ObjectInfo{}, err
	}
	if len(key) > 1024 {
		return object.ObjectInfo{}, object.ErrKeyTooLong
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return object.ObjectInfo{}, fmt.Errorf("fake: reading body: %w", err)
	}
	if size >= 0 && int64(len(data)) != size {
		return object.ObjectInfo{}, object.ErrIncompleteBody
	}
	sum := md5.Sum(data)
	info := object.ObjectInfo{Bucket: bucket, Key: key, Size: int64(len(data)),
		ModTime: time.Now().UTC(), ETag: hex.EncodeToString(sum[:]),
		ContentType: opts.ContentType, UserMetadata: opts.UserMetadata}
	if opts.Checksums != nil {
		info.Checksums = opts.Checksums()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[bucket][key] = fakeObject{info: info, data: data}
	return info, nil
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
