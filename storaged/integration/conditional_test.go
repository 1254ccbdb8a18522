package integration

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestConditionalRequestsWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "conditional"
	mustCreateBucket(t, c, bucket)
	put := mustPut(t, c, bucket, "k", []byte("original"))

	t.Run("S9 a create-only write of an existing key is 412 "+
		"and changes nothing", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("k"), Body: bytes.NewReader([]byte("replacement")),
			IfNoneMatch: aws.String("*")})
		if errStatus(err) != 412 || errCode(err) != "PreconditionFailed" {
			t.Fatalf("got %v, want 412 PreconditionFailed", err)
		}
		got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("k")})
		if string(got) != "original" || aws.ToString(out.ETag) != aws.ToString(put.ETag) {
			t.Errorf("got %q with ETag %s, want the original object", got, aws.ToString(out.ETag))
		}
	})
	t.Run("a create-only write of a new key is stored", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("new"), Body: bytes.NewReader([]byte("x")),
			IfNoneMatch: aws.String("*")})
		if err != nil {
			t.Fatalf("got %v, want it stored", err)
		}
	})
	t.Run("If-Match on a write checks the ETag", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("k"), Body: bytes.NewReader([]byte("v2")),
			IfMatch: aws.String(`"00000000000000000000000000000000"`)})
		if errStatus(err) != 412 {
			t.Errorf("a wrong ETag: got %v, want 412", err)
		}
	})
	t.Run("reads answer 304 and 412 on dates and ETags", func(t *testing.T) {
		checkConditionalReads(t, c, bucket)
	})
}

// checkConditionalReads checks GET and HEAD conditions on bucket/k.
func checkConditionalReads(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	ctx := context.Background()
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	mod := aws.ToTime(head.LastModified)
	tests := []struct {
		name   string
		in     s3.GetObjectInput
		status int
	}{
		{"If-Modified-Since after the change is 304",
			s3.GetObjectInput{IfModifiedSince: aws.Time(mod.Add(time.Hour))}, 304},
		{"If-Unmodified-Since before the change is 412",
			s3.GetObjectInput{IfUnmodifiedSince: aws.Time(mod.Add(-time.Hour))}, 412},
		{"If-None-Match with the ETag is 304", s3.GetObjectInput{IfNoneMatch: head.ETag}, 304},
		{"If-Match with the ETag wins over a failing If-Unmodified-Since",
			s3.GetObjectInput{IfMatch: head.ETag,
				IfUnmodifiedSince: aws.Time(mod.Add(-time.Hour))}, 200},
	}
	for _, tt := range tests {
		in := tt.in
		in.Bucket, in.Key = aws.String(bucket), aws.String("k")
		out, err := c.GetObject(ctx, &in)
		status := errStatus(err)
		if err == nil {
			status = 200
			out.Body.Close()
		}
		if status != tt.status {
			t.Errorf("%s: got %d (%v), want %d", tt.name, status, err, tt.status)
		}
	}
}

func TestConcurrentCreateOnlyWritesThroughTheServer(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	const bucket = "create-only"
	mustCreateBucket(t, c, bucket)
	var won, lost atomic.Int32
	var wg sync.WaitGroup
	bodies := make([][]byte, 8)
	for i := range bodies {
		bodies[i] = []byte(fmt.Sprintf("writer %d", i))
		wg.Go(func() {
			_, err := c.PutObject(context.Background(),
				&s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("once"),
					Body: bytes.NewReader(bodies[i]), IfNoneMatch: aws.String("*")})
			switch {
			case err == nil:
				won.Add(1)
			case errStatus(err) == 412:
				lost.Add(1)
			default:
				t.Errorf("writer %d: got %v, want success or 412", i, err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || lost.Load() != int32(len(bodies)-1) {
		t.Errorf("got %d writes stored and %d refused, want 1 and %d", won.Load(), lost.Load(),
			len(bodies)-1)
	}
}
