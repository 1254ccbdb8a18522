package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// shardOnDisk is one drive's shard of an object, as its meta file on that
// drive describes it.
type shardOnDisk struct {
	drive               int
	data, parity, index int
	shardBytes          int64
}

// diskMeta is the part of storaged's meta file these tests read: the
// coding of the current version and the shard the drive holds.
type diskMeta struct {
	Key     string `json:"key"`
	DataDir string `json:"dataDir"`
	Erasure struct {
		Data   int `json:"data"`
		Parity int `json:"parity"`
		Index  int `json:"index"`
	} `json:"erasure"`
}

// shardsOnDisk walks each drive's bucket folder for the meta file of key
// and returns the shard each drive holds; a drive without one is left out.
func shardsOnDisk(t *testing.T, drives []string, bucket, key string) []shardOnDisk {
	t.Helper()
	var out []shardOnDisk
	for i, d := range drives {
		err := filepath.WalkDir(filepath.Join(d, bucket), func(p string, e fs.DirEntry,
			err error) error {
			if err != nil || e.IsDir() || e.Name() != "meta" {
				return nil // a drive being rebuilt may lose folders under the walk
			}
			m, ok := readDiskMeta(p)
			if !ok || m.Key != key {
				return nil
			}
			st, err := os.Stat(filepath.Join(filepath.Dir(p), m.DataDir, "shards"))
			if err != nil {
				return nil
			}
			out = append(out, shardOnDisk{drive: i, data: m.Erasure.Data,
				parity: m.Erasure.Parity, index: m.Erasure.Index, shardBytes: st.Size()})
			return nil
		})
		if err != nil {
			t.Fatalf("walking drive %d: %v", i, err)
		}
	}
	return out
}

// readDiskMeta parses a meta file: a checksum line, then JSON.
func readDiskMeta(p string) (diskMeta, bool) {
	var m diskMeta
	b, err := os.ReadFile(p)
	if err != nil {
		return m, false
	}
	_, body, ok := bytes.Cut(b, []byte{'\n'})
	return m, ok && json.Unmarshal(body, &m) == nil
}

// countShards returns how many data and parity shards of key the drives
// hold, checking that every drive's meta gives the same geometry.
func countShards(t *testing.T, shards []shardOnDisk, wantData, wantParity int) (int, int) {
	t.Helper()
	var data, parity int
	for _, s := range shards {
		if s.data != wantData || s.parity != wantParity {
			t.Errorf("drive %d: coded %d+%d, want %d+%d", s.drive, s.data, s.parity,
				wantData, wantParity)
		}
		if s.index < s.data {
			data++
		} else {
			parity++
		}
	}
	return data, parity
}

func TestReducedRedundancyObjectsUseTheirOwnParity(t *testing.T) {
	t.Parallel()
	srv := &server{teststoraged.Start(t, storagedBin, "--rrs-parity", "1",
		"--drive-check-interval", "200ms", "--scan-interval", "0")}
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "rrs-bucket"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	body := bytes.Repeat([]byte("reduced redundancy "), 200_000) // 3.8 MB, 4 blocks
	for key, class := range map[string]types.StorageClass{
		"rrs.bin": types.StorageClassReducedRedundancy, "std.bin": types.StorageClassStandard} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String(key), Body: bytes.NewReader(body),
			StorageClass: class}); err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
	}

	rrs := shardsOnDisk(t, srv.Drives, bucket, "rrs.bin")
	if d, p := countShards(t, rrs, 3, 1); d != 3 || p != 1 {
		t.Fatalf("REDUCED_REDUNDANCY object on disk: %d data + %d parity shard files, "+
			"want 3 + 1", d, p)
	}
	std := shardsOnDisk(t, srv.Drives, bucket, "std.bin")
	if d, p := countShards(t, std, 2, 2); d != 2 || p != 2 {
		t.Fatalf("STANDARD object on disk: %d data + %d parity shard files, want 2 + 2", d, p)
	}
	if rrs[0].shardBytes >= std[0].shardBytes {
		t.Errorf("a 3+1 shard holds %d bytes, a 2+2 shard %d: want the 3+1 one smaller",
			rrs[0].shardBytes, std[0].shardBytes)
	}

	wiped := srv.Drives[1]
	swapForEmpty(t, wiped)
	got := getBody(t, c, bucket, "rrs.bin")
	if !bytes.Equal(got, body) {
		t.Fatalf("GET with drive %s replaced by an empty one: %d bytes, want the %d written",
			wiped, len(got), len(body))
	}
	waitHealed(t, srv.Drives, bucket, "rrs.bin")
	checkListedClass(t, c, bucket)
	checkMinioListedClass(t, srv, bucket)
}

// swapForEmpty replaces a drive folder by an empty one, keeping the old
// one out of the node's sight.
func swapForEmpty(t *testing.T, dir string) {
	t.Helper()
	if err := os.Rename(dir, dir+".replaced"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

// getBody reads a whole object.
func getBody(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	if out.StorageClass != types.StorageClassReducedRedundancy {
		t.Errorf("GetObject %s: x-amz-storage-class %q, want REDUCED_REDUNDANCY", key,
			out.StorageClass)
	}
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return b
}

// waitHealed waits until all four drives hold a shard of key again, 3+1.
func waitHealed(t *testing.T, drives []string, bucket, key string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		shards := shardsOnDisk(t, drives, bucket, key)
		if len(shards) == 4 {
			if d, p := countShards(t, shards, 3, 1); d != 3 || p != 1 {
				t.Fatalf("after healing: %d data + %d parity shards, want 3 + 1", d, p)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s, %d of 4 drives hold a shard of %s, want 4", len(shards), key)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkListedClass checks every listing that names a storage class, with
// aws-sdk-go-v2.
func checkListedClass(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	ctx := context.Background()
	v2, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil || len(v2.Contents) != 2 {
		t.Fatalf("ListObjectsV2: %d objects, err %v; want 2", len(v2.Contents), err)
	}
	want := map[string]types.ObjectStorageClass{"rrs.bin": "REDUCED_REDUNDANCY",
		"std.bin": "STANDARD"}
	for _, o := range v2.Contents {
		if o.StorageClass != want[aws.ToString(o.Key)] {
			t.Errorf("ListObjectsV2 %s: class %q, want %q", aws.ToString(o.Key),
				o.StorageClass, want[aws.ToString(o.Key)])
		}
	}
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil || len(vs.Versions) != 2 ||
		vs.Versions[0].StorageClass != types.ObjectVersionStorageClass("REDUCED_REDUNDANCY") {
		t.Errorf("ListObjectVersions: %+v, err %v; want rrs.bin first, REDUCED_REDUNDANCY",
			vs.Versions, err)
	}
	attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{
		Bucket: aws.String(bucket), Key: aws.String("rrs.bin"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesStorageClass}})
	if err != nil || attrs.StorageClass != types.StorageClassReducedRedundancy {
		t.Errorf("GetObjectAttributes: class %q, err %v; want REDUCED_REDUNDANCY",
			attrs.StorageClass, err)
	}
}

// checkMinioListedClass lists the bucket with minio-go.
func checkMinioListedClass(t *testing.T, srv *server, bucket string) {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: srv.Roots, MinVersion: tls.VersionTLS12}
	mc, err := minio.New(srv.Addr, &minio.Options{
		Creds:  miniocreds.NewStaticV4(testAccessKey, testSecret, ""),
		Secure: true, Transport: tr, Region: testRegion, BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatalf("minio.New: %v", err)
	}
	ctx := context.Background()
	if _, err := mc.PutObject(ctx, bucket, "minio-rrs.bin", bytes.NewReader([]byte("m")), 1,
		minio.PutObjectOptions{StorageClass: "REDUCED_REDUNDANCY"}); err != nil {
		t.Fatalf("minio-go PutObject: %v", err)
	}
	got := map[string]string{}
	for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{}) {
		if o.Err != nil {
			t.Fatalf("minio-go ListObjects: %v", o.Err)
		}
		got[o.Key] = o.StorageClass
	}
	want := map[string]string{"minio-rrs.bin": "REDUCED_REDUNDANCY",
		"rrs.bin": "REDUCED_REDUNDANCY", "std.bin": "STANDARD"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("minio-go ListObjects %s: class %q, want %q", k, got[k], v)
		}
	}
}
