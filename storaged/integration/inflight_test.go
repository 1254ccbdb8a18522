package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// These tests start a GET, change the key under it (overwrite, delete,
// remove the version) and then read the rest: the erasure layer keeps
// removed data in each drive's retired folder, so the GET must return the
// version it opened, whole. The objects have three parts of 5 MiB; each
// test checks, through /proc, that storaged has not opened the last
// part's shard files when the key changes, so the rest of the GET has to
// find them in the retired folders.

// inflightPart is the size of each part of the objects read in flight.
const inflightPart = 5 * mib

// clientWindow is the receive buffer of the GET connections, small so
// that storaged cannot run far ahead of what the test has read.
const clientWindow = 64 << 10

// inflight is one server with a bucket, a normal client and a client
// whose connections have a small receive window.
type inflight struct {
	srv         *server
	c, small    *s3.Client
	bucket      string
	storagedPID int
}

func newInflight(t *testing.T, bucket string, versioned bool) *inflight {
	t.Helper()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	mustCreateBucket(t, c, bucket)
	if versioned {
		_, err := c.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{
			Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{
				Status: types.BucketVersioningStatusEnabled}})
		if err != nil {
			t.Fatalf("PutBucketVersioning: %v", err)
		}
	}
	return &inflight{srv: srv, c: c, small: smallWindowClient(c, srv), bucket: bucket,
		storagedPID: storagedPID(t, srv)}
}

// smallWindowClient is c with connections whose receive buffer is
// clientWindow bytes.
func smallWindowClient(c *s3.Client, srv *server) *s3.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string,
		rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF,
				clientWindow)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	tr := &http.Transport{DialContext: dialer.DialContext, ForceAttemptHTTP2: false,
		TLSClientConfig: &tls.Config{RootCAs: srv.Roots, MinVersion: tls.VersionTLS12}}
	return s3.New(c.Options(), func(o *s3.Options) {
		o.HTTPClient = &http.Client{Transport: tr, Timeout: time.Minute}
		o.Retryer = aws.NopRetryer{}
	})
}

// storagedPID finds the storaged process of srv by its first drive on
// its command line.
func storagedPID(t *testing.T, srv *server) int {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(srv.Drives[0]+"\x00")) {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(p, "/proc/%d/cmdline", &pid); err == nil {
			return pid
		}
	}
	t.Fatalf("no process has %s on its command line", srv.Drives[0])
	return 0
}

// openFiles returns the files storaged holds open whose names are name.
func (f *inflight) openFiles(t *testing.T, name string) []string {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", f.storagedPID)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("listing storaged's open files: %v", err)
	}
	var out []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		if err == nil && filepath.Base(target) == name {
			out = append(out, target)
		}
	}
	return out
}

// putMultipart stores key as three random parts of inflightPart bytes
// and returns its bytes and version ID.
func (f *inflight) putMultipart(t *testing.T, key string) ([]byte, string) {
	t.Helper()
	parts := [][]byte{randomBytes(t, inflightPart), randomBytes(t, inflightPart),
		randomBytes(t, inflightPart)}
	id, done := uploadParts(t, f.c, f.bucket, key, nil, parts...)
	out, err := complete(f.c, f.bucket, key, id, done)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload %s: %v", key, err)
	}
	return slices.Concat(parts...), aws.ToString(out.VersionId)
}

// openGet starts a GET through the small-window client and reads its
// first n bytes.
func (f *inflight) openGet(t *testing.T, in *s3.GetObjectInput, n int) (io.ReadCloser, []byte) {
	t.Helper()
	in.Bucket = aws.String(f.bucket)
	out, err := f.small.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObject %s: %v", aws.ToString(in.Key), err)
	}
	head := make([]byte, n)
	if _, err := io.ReadFull(out.Body, head); err != nil {
		out.Body.Close()
		t.Fatalf("reading the first %d bytes of %s: %v", n, aws.ToString(in.Key), err)
	}
	return out.Body, head
}

// requireLastPartClosed fails t when storaged already holds the last
// part's shard files open: then a change now would not test the retired
// folders.
func (f *inflight) requireLastPartClosed(t *testing.T) {
	t.Helper()
	if open := f.openFiles(t, "part.3"); len(open) > 0 {
		t.Fatalf("storaged already reads the last part before the change (%v); "+
			"it ran further ahead than the client window allows", open)
	}
}

// finishGet reads the rest of body and demands that head+rest is want.
func finishGet(t *testing.T, body io.ReadCloser, head, want []byte) {
	t.Helper()
	defer body.Close()
	rest, err := io.ReadAll(body)
	got := append(head, rest...)
	if err != nil {
		t.Fatalf("the GET broke after %d of %d bytes: %v", len(got), len(want), err)
	}
	if len(got) != len(want) || sha256.Sum256(got) != sha256.Sum256(want) {
		t.Fatalf("the GET returned %d bytes with SHA-256 %x, want the old version's %d "+
			"bytes, %x", len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
}

func (f *inflight) put(t *testing.T, key string, body []byte) {
	t.Helper()
	mustPut(t, f.c, f.bucket, key, body)
}

func (f *inflight) delete(t *testing.T, key, versionID string) {
	t.Helper()
	in := &s3.DeleteObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	if _, err := f.c.DeleteObject(context.Background(), in); err != nil {
		t.Fatalf("DeleteObject %s %s: %v", key, versionID, err)
	}
}

func TestGetInFlightReturnsTheVersionItOpened(t *testing.T) {
	t.Parallel()
	f := newInflight(t, "inflight", false)
	tests := []struct {
		name   string
		change func(t *testing.T, key string)
	}{
		{"a GET that an overwrite interrupts returns the old bytes", func(t *testing.T,
			key string) {
			f.put(t, key, []byte("the new version"))
		}},
		{"a GET that a delete interrupts returns the old bytes", func(t *testing.T,
			key string) {
			f.delete(t, key, "")
		}},
		{"a GET that a multipart overwrite interrupts returns the old bytes",
			func(t *testing.T, key string) {
				f.putMultipart(t, key)
			}},
	}
	for i, tt := range tests {
		key := fmt.Sprintf("objects/%d.bin", i)
		old, _ := f.putMultipart(t, key)
		body, head := f.openGet(t, &s3.GetObjectInput{Key: aws.String(key)}, mib)
		f.requireLastPartClosed(t)
		tt.change(t, key)
		t.Run(tt.name, func(t *testing.T) { finishGet(t, body, head, old) })
	}
	f.checkBucketHolds(t, map[string]int{"objects/0.bin": 1, "objects/2.bin": 1})
}

// TestThrottledGetSpansTheChange reads at a bounded rate while another
// goroutine overwrites and then deletes the key, so that the changes land
// while the GET streams rather than between two reads of the test.
func TestThrottledGetSpansTheChange(t *testing.T) {
	t.Parallel()
	f := newInflight(t, "throttled", false)
	const key = "slow.bin"
	old, _ := f.putMultipart(t, key)
	body, head := f.openGet(t, &s3.GetObjectInput{Key: aws.String(key)}, 64<<10)
	f.requireLastPartClosed(t)

	changed := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, err := f.c.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(f.bucket), Key: aws.String(key),
			Body: bytes.NewReader([]byte("newer"))})
		if err == nil {
			_, err = f.c.DeleteObject(context.Background(), &s3.DeleteObjectInput{
				Bucket: aws.String(f.bucket), Key: aws.String(key)})
		}
		changed <- err
	}()
	start := time.Now()
	got, err := readThrottled(body, 64<<10, 12*time.Millisecond, 10*time.Second)
	body.Close()
	if cerr := <-changed; cerr != nil {
		t.Fatalf("changing the key during the GET: %v", cerr)
	}
	if err != nil {
		t.Fatalf("the throttled GET broke after %d of %d bytes: %v", len(head)+len(got),
			len(old), err)
	}
	t.Logf("the throttled GET took %v", time.Since(start).Round(time.Millisecond))
	if time.Since(start) < time.Second {
		t.Fatalf("the GET ended after %v, before the change could land in it", time.Since(start))
	}
	finishGet(t, io.NopCloser(bytes.NewReader(got)), head, old)
	f.checkBucketHolds(t, map[string]int{})
}

// readThrottled reads r in chunks of size with a pause after each, for
// at most limit. Unlike io.ReadFull it keeps a clean end apart from a
// broken stream.
func readThrottled(r io.Reader, size int, pause, limit time.Duration) ([]byte, error) {
	var out []byte
	buf := make([]byte, size)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for filled := 0; filled < size; {
			n, err := r.Read(buf[filled:])
			out = append(out, buf[filled:filled+n]...)
			filled += n
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return out, err
			}
		}
		time.Sleep(pause)
	}
	return out, fmt.Errorf("the read did not end within %v", limit)
}

// TestGetInFlightEdgeCases tries the cases most likely to break retired
// reads: a ranged GET across parts, a named version removed under its
// GET, many overwrites during one GET, a corrupt shard whose parity must
// come from the retired folder, and a delete of a key overwritten in the
// same minute.
func TestGetInFlightEdgeCases(t *testing.T) {
	t.Parallel()
	f := newInflight(t, "edges", true)
	t.Run("a GET of a named version returns it while it is removed", func(t *testing.T) {
		const key = "named.bin"
		v1, id1 := f.putMultipart(t, key)
		f.putMultipart(t, key)
		body, head := f.openGet(t, &s3.GetObjectInput{Key: aws.String(key),
			VersionId: aws.String(id1)}, mib)
		f.requireLastPartClosed(t)
		f.delete(t, key, id1)
		finishGet(t, body, head, v1)
	})

	// Suspended versioning replaces the null version, so overwrites and
	// deletes remove data again.
	if _, err := f.c.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{
		Bucket: aws.String(f.bucket), VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatalf("suspending versioning: %v", err)
	}
	t.Run("a ranged GET across three parts returns the old range", func(t *testing.T) {
		const key = "ranged.bin"
		old, _ := f.putMultipart(t, key)
		from, to := 4*mib+17, 14*mib+3
		body, head := f.openGet(t, &s3.GetObjectInput{Key: aws.String(key),
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", from, to))}, mib)
		f.requireLastPartClosed(t)
		f.putMultipart(t, key)
		f.delete(t, key, "")
		finishGet(t, body, head, old[from:to+1])
	})
	t.Run("a GET survives twenty overwrites of its key", func(t *testing.T) {
		const key = "busy.bin"
		old, _ := f.putMultipart(t, key)
		body, head := f.openGet(t, &s3.GetObjectInput{Key: aws.String(key)}, mib)
		f.requireLastPartClosed(t)
		for i := range 20 {
			f.put(t, key, randomBytes(t, 256<<10+i))
		}
		finishGet(t, body, head, old)
	})
	f.checkCorruptShard(t)
	f.checkDeleteAfterOverwrite(t)
	f.checkBucketHolds(t, map[string]int{"named.bin": 1, "ranged.bin": 0, "busy.bin": 1,
		"corrupt.bin": 1})
}

// checkCorruptShard corrupts the first block of the last part of both
// data shards, starts a GET, overwrites the key, and demands the old
// bytes: the reader must open the parity shards from the retired folders.
func (f *inflight) checkCorruptShard(t *testing.T) {
	t.Run("a GET that needs parity after an overwrite finds it retired", func(t *testing.T) {
		const key = "corrupt.bin"
		old, _ := f.putMultipart(t, key)
		for _, p := range f.dataShardFiles(t, key, "part.3") {
			flipByte(t, p, 100)
		}
		body, head := f.openGet(t, &s3.GetObjectInput{Key: aws.String(key)}, mib)
		f.requireLastPartClosed(t)
		f.putMultipart(t, key)
		finishGet(t, body, head, old)
	})
}

// checkDeleteAfterOverwrite opens a GET of a version that replaced
// another, and deletes the key within the same minute.
func (f *inflight) checkDeleteAfterOverwrite(t *testing.T) {
	t.Run("a GET of an overwritten key returns it while the key is deleted",
		func(t *testing.T) {
			const key = "overwritten-then-deleted.bin"
			f.putMultipart(t, key)
			second, _ := f.putMultipart(t, key) // versioning is suspended: one null version
			body, head := f.openGet(t, &s3.GetObjectInput{Key: aws.String(key)}, mib)
			f.requireLastPartClosed(t)
			f.delete(t, key, "null")
			finishGet(t, body, head, second)
		})
}

// dataShardFiles returns, on every drive that holds a data shard of the
// current version of key, the path of its shard file name.
func (f *inflight) dataShardFiles(t *testing.T, key, name string) []string {
	t.Helper()
	sum := sha256.Sum256([]byte(key))
	var out []string
	for _, d := range f.srv.Drives {
		dir := filepath.Join(d, f.bucket, fmt.Sprintf("%x", sum))
		b, err := os.ReadFile(filepath.Join(dir, "meta"))
		if err != nil {
			t.Fatalf("reading a meta file: %v", err)
		}
		_, js, _ := bytes.Cut(b, []byte("\n"))
		var m struct {
			DataDir string `json:"dataDir"`
			Erasure struct {
				Data, Index int
			} `json:"erasure"`
		}
		if err := json.Unmarshal(js, &m); err != nil {
			t.Fatalf("decoding %s/meta: %v", dir, err)
		}
		if m.Erasure.Index < m.Erasure.Data {
			out = append(out, filepath.Join(dir, m.DataDir, name))
		}
	}
	if len(out) != 2 {
		t.Fatalf("found %d data shard files of %s, want 2", len(out), key)
	}
	return out
}

// flipByte inverts the byte at off of the file at p in place.
func flipByte(t *testing.T, p string, off int64) {
	t.Helper()
	file, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	b := make([]byte, 1)
	if _, err := file.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := file.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// checkBucketHolds demands that every drive's bucket volume holds object
// directories only for the keys in want, each with want[key] data
// directories: removed data must have left the bucket volume.
func (f *inflight) checkBucketHolds(t *testing.T, want map[string]int) {
	t.Helper()
	byDir := map[string]string{}
	for key := range want {
		byDir[fmt.Sprintf("%x", sha256.Sum256([]byte(key)))] = key
	}
	for _, d := range f.srv.Drives {
		vol := filepath.Join(d, f.bucket)
		entries, err := os.ReadDir(vol)
		if err != nil {
			t.Fatalf("listing %s: %v", vol, err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			key, ok := byDir[e.Name()]
			if !ok {
				t.Errorf("%s holds %s, an object directory of no stored key: %v", vol, e.Name(),
					treeOf(filepath.Join(vol, e.Name())))
				continue
			}
			if n := countDirs(t, filepath.Join(vol, e.Name())); n != want[key] {
				t.Errorf("%s holds %d data directories of %s, want %d", vol, n, key, want[key])
			}
		}
	}
}

func countDirs(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() {
			n++
		}
	}
	return n
}

// treeOf lists the files under dir, for failure messages.
func treeOf(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}
