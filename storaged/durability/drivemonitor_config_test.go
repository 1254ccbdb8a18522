package durability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/storaged/erasure"
)

// TestDrivesReplacedInTurnKeepVersioning replaces three of the four drives
// of a running node with empty ones, one at a time, each after the last
// one's heal finished, as an operator replacing failed disks does. Never
// is more than one drive missing (parity is 2), so the bucket must keep
// its versioning, and every version must stay: a bucket whose settings
// were not healed would read as never versioned, and the next PUT would
// replace its versions.
func TestDrivesReplacedInTurnKeepVersioning(t *testing.T) {
	srv, lt := startSingleNode(t)
	client := lt.clients[0]
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{}
	putVersion := func(i int) {
		data := []byte(fmt.Sprintf("version %d", i))
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("k"), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatalf("PUT version %d: %v", i, err)
		}
		bodies[aws.ToString(out.VersionId)] = data
	}
	putVersion(1)
	putVersion(2)

	for i, wiped := range srv.Drives[:3] {
		at := time.Now()
		if err := os.Rename(wiped, wiped+".replaced"); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(wiped, 0o755); err != nil {
			t.Fatal(err)
		}
		waitFormatted(t, lt, wiped)
		if job := waitWipedJob(t, lt, wiped, at); job.State != erasure.JobDone {
			t.Fatalf("heal of drive %d: %+v", i, job)
		}
	}
	v, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{
		Bucket: aws.String(bucket)})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning after three drives replaced in turn: %q, %v; want Enabled",
			v.Status, err)
	}
	putVersion(3)
	for id, want := range bodies {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("k"), VersionId: aws.String(id)})
		if err != nil {
			t.Errorf("version %s: %v", id, err)
			continue
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("version %s: %q (%v), want %q", id, got, err, want)
		}
	}
	t.Logf("1 node x 4 drives: 3 drives replaced in turn, versioning %s, %d versions read back",
		v.Status, len(bodies))
}
