package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// keyServer is a storaged started with --access-keys-file, over plain
// HTTP on loopback, so that the test can rewrite the file and send the
// process SIGHUP.
type keyServer struct {
	endpoint string
	keysFile string
	cmd      *exec.Cmd
	logs     *lineBuffer
}

// lineBuffer collects a process's log lines; safe for concurrent use.
type lineBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

func (l *lineBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// accessKey is one entry of an access keys file.
type accessKey struct {
	Name            string          `json:"name"`
	AccessKeyID     string          `json:"accessKeyId"`
	SecretAccessKey string          `json:"secretAccessKey"`
	Policy          json.RawMessage `json:"policy,omitempty"`
}

// writeAccessKeys writes the keys file, mode 0600, replacing it whole.
func writeAccessKeys(t *testing.T, path string, keys ...accessKey) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// startKeyServer starts storaged with four drives, the test's root key
// and the access keys given, and stops it when the test ends.
func startKeyServer(t *testing.T, keys ...accessKey) *keyServer {
	t.Helper()
	dir := t.TempDir()
	ks := &keyServer{keysFile: filepath.Join(dir, "keys.json"), logs: &lineBuffer{}}
	writeAccessKeys(t, ks.keysFile, keys...)
	args := []string{"--listen", "127.0.0.1:0", "--insecure-http", "--parity", "2",
		"--access-keys-file", ks.keysFile, "--log-json", "--log-level", "debug"}
	for i := 1; i <= 4; i++ {
		args = append(args, "--drive", filepath.Join(dir, fmt.Sprintf("drive%d", i)))
	}
	ks.cmd = exec.Command(storagedBin, args...)
	ks.cmd.Env = append(teststoraged.CleanEnv(), "STRATA_ROOT_ACCESS_KEY_ID="+testAccessKey,
		"STRATA_ROOT_SECRET_ACCESS_KEY="+testSecret)
	ks.endpoint = "http://" + ks.start(t)
	return ks
}

// start runs the process and returns its address once it listens.
func (ks *keyServer) start(t *testing.T) string {
	t.Helper()
	stderr, err := ks.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc, done := make(chan string, 1), make(chan struct{})
	go ks.scan(stderr, addrc, done)
	t.Cleanup(func() { ks.stop(t, done) })
	select {
	case addr := <-addrc:
		return addr
	case <-done:
		t.Fatalf("storaged exited before listening:\n%s", ks.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("storaged did not listen within 30s:\n%s", ks.logs)
	}
	return ""
}

func (ks *keyServer) scan(r io.Reader, addrc chan<- string, done chan<- struct{}) {
	defer close(done)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		ks.logs.add(sc.Text())
		var entry map[string]any
		if json.Unmarshal(sc.Bytes(), &entry) == nil && entry["@message"] == "storaged listening" {
			if a, ok := entry["address"].(string); ok {
				addrc <- a
			}
		}
	}
}

// stop sends SIGTERM, demands a clean exit, and checks the logs hold no
// secret.
func (ks *keyServer) stop(t *testing.T, done <-chan struct{}) {
	_ = ks.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = ks.cmd.Process.Kill()
		<-done
	}
	if err := ks.cmd.Wait(); err != nil {
		t.Errorf("storaged did not exit cleanly: %v", err)
	}
	for _, secret := range []string{testSecret, "team-secret", "late-secret"} {
		if strings.Contains(ks.logs.String(), secret) {
			t.Errorf("the logs contain the secret %q", secret)
		}
	}
}

// client returns an SDK client signing with the key pair, or anonymous
// when id is "".
func (ks *keyServer) client(t *testing.T, id, secret string) *s3.Client {
	t.Helper()
	var provider aws.CredentialsProvider = aws.AnonymousCredentials{}
	if id != "" {
		provider = credentials.NewStaticCredentialsProvider(id, secret, "")
	}
	return s3.New(s3.Options{Region: testRegion, Credentials: provider, UsePathStyle: true,
		BaseEndpoint: aws.String(ks.endpoint)})
}

// waitForLog waits for a log line containing want.
func (ks *keyServer) waitForLog(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ks.logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line contains %q:\n%s", want, ks.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const teamPolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],` +
	`"Resource":"arn:aws:s3:::data/${aws:username}/*"},` +
	`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data",` +
	`"Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}}]}`

// TestPoliciesWithRealClients runs storaged with a second key limited to
// one prefix, and checks with aws-sdk-go-v2 clients what that key, an
// anonymous client and the root key may do as bucket policies change, and
// that SIGHUP picks up a key added to the file.
func TestPoliciesWithRealClients(t *testing.T) {
	t.Parallel()
	team := accessKey{Name: "team", AccessKeyID: "AKIDTEAM", SecretAccessKey: "team-secret-0123",
		Policy: json.RawMessage(teamPolicy)}
	ks := startKeyServer(t, team)
	ctx := context.Background()
	root := ks.client(t, testAccessKey, testSecret)
	teamClient := ks.client(t, team.AccessKeyID, team.SecretAccessKey)
	anon := ks.client(t, "", "")

	mustDo(t, "CreateBucket", func() error {
		_, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")})
		return err
	})
	for _, key := range []string{"team/a.txt", "team/secret.txt", "private/b.txt"} {
		put(t, root, key, "root")
	}

	t.Run("a key limited to one prefix reads there and nowhere else", func(t *testing.T) {
		if got := get(t, teamClient, "team/a.txt"); got != "root" {
			t.Errorf("got %q, want root", got)
		}
		put(t, teamClient, "team/new.txt", "team")
		wantCode(t, "GetObject elsewhere", "AccessDenied", getErr(teamClient, "private/b.txt"))
		wantCode(t, "PutObject elsewhere", "AccessDenied", putErr(teamClient, "private/c.txt"))
		_, err := teamClient.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"),
			Prefix: aws.String("team/")})
		wantCode(t, "ListObjectsV2 in its prefix", "", err)
		_, err = teamClient.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
		wantCode(t, "ListObjectsV2 of the whole bucket", "AccessDenied", err)
	})

	t.Run("an anonymous GET works only once a bucket policy allows it", func(t *testing.T) {
		wantCode(t, "anonymous GET before", "AccessDenied", getErr(anon, "private/b.txt"))
		putPolicy(t, root, `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead",`+
			`"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject",`+
			`"Resource":"arn:aws:s3:::data/*"}]}`)
		if got := get(t, anon, "private/b.txt"); got != "root" {
			t.Errorf("got %q, want root", got)
		}
		wantCode(t, "anonymous PUT", "AccessDenied", putErr(anon, "private/anon.txt"))
	})

	t.Run("an explicit Deny beats an Allow", func(t *testing.T) {
		putPolicy(t, root, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",`+
			`"Principal":{"AWS":"arn:aws:iam:::user/team"},"Action":"s3:GetObject",`+
			`"Resource":"arn:aws:s3:::data/team/secret*"}]}`)
		wantCode(t, "denied GET", "AccessDenied", getErr(teamClient, "team/secret.txt"))
		if got := get(t, teamClient, "team/a.txt"); got != "root" {
			t.Errorf("got %q, want root", got)
		}
		if got := get(t, root, "team/secret.txt"); got != "root" {
			t.Errorf("the root key: got %q, want root (it bypasses policies)", got)
		}
	})

	t.Run("SIGHUP picks up a new key", func(t *testing.T) {
		late := accessKey{Name: "late", AccessKeyID: "AKIDLATE",
			SecretAccessKey: "late-secret-0123",
			Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
				`"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/private/*"}}`)}
		lateClient := ks.client(t, late.AccessKeyID, late.SecretAccessKey)
		wantCode(t, "before SIGHUP", "InvalidAccessKeyId", getErr(lateClient, "private/b.txt"))
		writeAccessKeys(t, ks.keysFile, team, late)
		if err := ks.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		ks.waitForLog(t, "access keys reloaded")
		if got := get(t, lateClient, "private/b.txt"); got != "root" {
			t.Errorf("got %q, want root", got)
		}
		wantCode(t, "the old key after SIGHUP", "", getErr(teamClient, "team/a.txt"))
	})
}

func mustDo(t *testing.T, what string, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func putErr(c *s3.Client, key string) error {
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("data"),
		Key: aws.String(key), Body: strings.NewReader("x")})
	return err
}

func put(t *testing.T, c *s3.Client, key, body string) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("data"),
		Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

func getErr(c *s3.Client, key string) error {
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("data"),
		Key: aws.String(key)})
	if err == nil {
		_ = out.Body.Close()
	}
	return err
}

func get(t *testing.T, c *s3.Client, key string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("data"),
		Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func putPolicy(t *testing.T, c *s3.Client, doc string) {
	t.Helper()
	_, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{
		Bucket: aws.String("data"), Policy: aws.String(doc)})
	if err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
}

// wantCode fails unless err has the S3 error code want ("" for success).
func wantCode(t *testing.T, what, want string, err error) {
	t.Helper()
	if got := errCode(err); got != want || (want == "" && err != nil) {
		t.Errorf("%s: got error %v (code %q), want code %q", what, err, got, want)
	}
}
