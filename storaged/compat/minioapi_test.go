package compat

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// minioModule is minio-go's module path; the version in go.mod is the one
// tested, both through its API and through its functional suite.
const minioModule = "github.com/minio/minio-go/v7"

// minioAPIGaps are the minio-go API calls known not to work yet.
func minioAPIGaps() []gap {
	return nil
}

// minioAPI calls minio-go's API directly: path-style, SigV4, the test CA.
type minioAPI struct {
	c      *minio.Client
	srv    *teststoraged.Server
	bucket string
	key    string
	body   []byte
}

// runMinioAPI runs every minio-go API call of the matrix.
func runMinioAPI(t *testing.T, srv *teststoraged.Server) (string, []outcome) {
	m := &minioAPI{c: newMinioClient(t, srv), srv: srv, bucket: "compat-minio-api",
		key: "dir/object.bin", body: testData(31, 100_000)}
	return "minio-go " + minioModuleInfo(t).Version + " (API)", runSteps(t, m.steps())
}

func newMinioClient(t *testing.T, srv *teststoraged.Server) *minio.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: srv.Roots, MinVersion: tls.VersionTLS12}
	c, err := minio.New(srv.Addr, &minio.Options{
		Creds:        credentials.NewStaticV4(teststoraged.AccessKey, teststoraged.SecretKey, ""),
		Secure:       true,
		Transport:    tr,
		Region:       teststoraged.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatalf("making a minio-go client: %v", err)
	}
	return c
}

func (m *minioAPI) steps() []step {
	return []step{
		{"MakeBucket", m.makeBucket},
		{"PutObject", m.putObject},
		{"StatObject", m.statObject},
		{"GetObject", m.getObject},
		{"ListObjects", m.listObjects},
		{"PresignedGetObject", m.presignedGet},
		{"RemoveObject", m.removeObject},
		{"RemoveBucket", m.removeBucket},
	}
}

func (m *minioAPI) etag() string {
	sum := md5.Sum(m.body)
	return hex.EncodeToString(sum[:])
}

func (m *minioAPI) makeBucket(ctx context.Context) error {
	if err := m.c.MakeBucket(ctx, m.bucket, minio.MakeBucketOptions{}); err != nil {
		return err
	}
	ok, err := m.c.BucketExists(ctx, m.bucket)
	if err != nil || !ok {
		return fmt.Errorf("BucketExists after MakeBucket: got %v, %v; want true", ok, err)
	}
	return nil
}

func (m *minioAPI) putObject(ctx context.Context) error {
	info, err := m.c.PutObject(ctx, m.bucket, m.key, bytes.NewReader(m.body),
		int64(len(m.body)), minio.PutObjectOptions{ContentType: "application/x-compat",
			UserMetadata: map[string]string{"Purpose": "compat"}})
	if err != nil {
		return err
	}
	if info.ETag != m.etag() || info.Size != int64(len(m.body)) {
		return fmt.Errorf("PutObject: got ETag %s and size %d, want %s and %d",
			info.ETag, info.Size, m.etag(), len(m.body))
	}
	return nil
}

func (m *minioAPI) statObject(ctx context.Context) error {
	info, err := m.c.StatObject(ctx, m.bucket, m.key, minio.StatObjectOptions{})
	if err != nil {
		return err
	}
	if info.ETag != m.etag() || info.Size != int64(len(m.body)) ||
		info.ContentType != "application/x-compat" || info.UserMetadata["Purpose"] != "compat" {
		return fmt.Errorf("StatObject: got ETag %s, size %d, type %q, metadata %v; want %s, "+
			"%d, application/x-compat and Purpose=compat", info.ETag, info.Size,
			info.ContentType, info.UserMetadata, m.etag(), len(m.body))
	}
	return nil
}

func (m *minioAPI) getObject(ctx context.Context) error {
	obj, err := m.c.GetObject(ctx, m.bucket, m.key, minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, m.body) {
		return fmt.Errorf("GetObject: got %d bytes that differ from the %d put", len(got),
			len(m.body))
	}
	return nil
}

func (m *minioAPI) listObjects(ctx context.Context) error {
	var keys []string
	for obj := range m.c.ListObjects(ctx, m.bucket, minio.ListObjectsOptions{Prefix: "dir/"}) {
		if obj.Err != nil {
			return obj.Err
		}
		keys = append(keys, obj.Key)
	}
	if len(keys) != 1 || keys[0] != m.key {
		return fmt.Errorf("ListObjects: got %v, want [%s]", keys, m.key)
	}
	return nil
}

// presignedGet fetches a presigned URL with a plain HTTP client.
func (m *minioAPI) presignedGet(ctx context.Context) error {
	u, err := m.c.PresignedGetObject(ctx, m.bucket, m.key, 5*time.Minute, nil)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := m.srv.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, m.body) {
		return fmt.Errorf("GET of the presigned URL: got %d and %d bytes, want 200 and the "+
			"%d bytes put", resp.StatusCode, len(got), len(m.body))
	}
	return nil
}

func (m *minioAPI) removeObject(ctx context.Context) error {
	if err := m.c.RemoveObject(ctx, m.bucket, m.key, minio.RemoveObjectOptions{}); err != nil {
		return err
	}
	_, err := m.c.StatObject(ctx, m.bucket, m.key, minio.StatObjectOptions{})
	if minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("StatObject after RemoveObject: got %v, want NoSuchKey", err)
	}
	return nil
}

func (m *minioAPI) removeBucket(ctx context.Context) error {
	if err := m.c.RemoveBucket(ctx, m.bucket); err != nil {
		return err
	}
	ok, err := m.c.BucketExists(ctx, m.bucket)
	if err != nil || ok {
		return fmt.Errorf("BucketExists after RemoveBucket: got %v, %v; want false", ok, err)
	}
	return nil
}
