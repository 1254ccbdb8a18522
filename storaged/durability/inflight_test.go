package durability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
)

// inflightPart is the size of each of the three parts of the objects that
// TestGetInFlightAcrossNodes reads while they change.
const inflightPart = 5 << 20

// TestGetInFlightAcrossNodes starts a GET through node 0 of a four-node
// tenant (one drive each, parity 2), so that three of the four shard files
// of every part live on other nodes, then overwrites or deletes the key
// through node 1 and reads the rest. The removal retires the data over the
// storage RPC on every node's drive, and node 0 must find the parts it has
// not opened yet in the other nodes' retired folders.
func TestGetInFlightAcrossNodes(t *testing.T) {
	start := time.Now()
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: 4, DrivesPerNode: 1,
		Parity: 2})
	t.Logf("the tenant was ready in %v", time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	if _, err := c.S3(0).CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String("inflight")}); err != nil {
		t.Fatal(err)
	}
	reader := smallWindowS3(c, 0)
	tests := []struct {
		name   string
		change func(t *testing.T, key string)
	}{
		{"a GET that another node's overwrite interrupts returns the old bytes",
			func(t *testing.T, key string) {
				if err := put(c.S3(1), "inflight", key, []byte("newer")); err != nil {
					t.Fatalf("overwriting %s through node 1: %v", key, err)
				}
			}},
		{"a GET that another node's delete interrupts returns the old bytes",
			func(t *testing.T, key string) {
				if _, err := c.S3(1).DeleteObject(ctx, &s3.DeleteObjectInput{
					Bucket: aws.String("inflight"), Key: aws.String(key)}); err != nil {
					t.Fatalf("deleting %s through node 1: %v", key, err)
				}
			}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("spread-%d.bin", i)
			old := putThreeParts(t, c.S3(2), "inflight", key)
			out, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("inflight"),
				Key: aws.String(key)})
			if err != nil {
				t.Fatalf("GET %s: %v", key, err)
			}
			defer out.Body.Close()
			head := make([]byte, 1<<20)
			if _, err := io.ReadFull(out.Body, head); err != nil {
				t.Fatalf("reading the first MiB of %s: %v", key, err)
			}
			requireNotOpen(t, c, "part.3")
			tt.change(t, key)
			rest, err := io.ReadAll(out.Body)
			got := append(head, rest...)
			if err != nil {
				t.Fatalf("the GET broke after %d of %d bytes: %v", len(got), len(old), err)
			}
			if sha256.Sum256(got) != sha256.Sum256(old) {
				t.Fatalf("the GET returned %d bytes that are not the old version's %d",
					len(got), len(old))
			}
		})
	}
}

// putThreeParts stores key through c as three parts of inflightPart
// random bytes and returns its bytes.
func putThreeParts(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	id := startUpload(t, c, bucket, key)
	var all []byte
	var done []types.CompletedPart
	for n := int32(1); n <= 3; n++ {
		p := body(key, int(n), inflightPart)
		all = append(all, p...)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket),
			Key: aws.String(key), UploadId: aws.String(id), PartNumber: aws.Int32(n),
			Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("part %d of %s: %v", n, key, err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatalf("completing %s: %v", key, err)
	}
	return all
}

// smallWindowS3 is c.S3(i) with connections whose receive buffer is 64
// KiB, so that node i cannot stream far ahead of what the test has read.
func smallWindowS3(c *testcluster.Cluster, i int) *s3.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string,
		rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 64<<10)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	tr := &http.Transport{DialContext: dialer.DialContext,
		TLSClientConfig: &tls.Config{RootCAs: c.Roots, MinVersion: tls.VersionTLS12}}
	return s3.New(c.S3(i).Options(), func(o *s3.Options) {
		o.HTTPClient = &http.Client{Transport: tr, Timeout: time.Minute}
	})
}

// requireNotOpen fails t when any node holds a file named name open: the
// change that follows would then not test the retired folders.
func requireNotOpen(t *testing.T, c *testcluster.Cluster, name string) {
	t.Helper()
	for _, n := range c.Nodes {
		dir := fmt.Sprintf("/proc/%d/fd", pidOf(t, n.Addr))
		fds, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("listing %s's open files: %v", n.Name, err)
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(dir, fd.Name()))
			if err == nil && filepath.Base(target) == name {
				t.Fatalf("%s already reads %s before the change; the GET ran further ahead "+
					"than the client window allows", n.Name, target)
			}
		}
	}
}

// pidOf finds the storaged process that listens on addr.
func pidOf(t *testing.T, addr string) int {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("--listen\x00"+addr+"\x00")) {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(p, "/proc/%d/cmdline", &pid); err == nil {
			return pid
		}
	}
	t.Fatalf("no process listens on %s", addr)
	return 0
}
