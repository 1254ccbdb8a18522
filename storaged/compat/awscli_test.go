package compat

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// awsCLIGaps are the AWS CLI operations known not to work yet.
func awsCLIGaps() []gap {
	return nil
}

// awsCLI drives Debian's AWS CLI. Credentials and region come from the
// command's environment only; AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE point at /dev/null and HOME at a temporary
// folder, so no user configuration is read. Retries are off, so that a
// server error shows instead of being retried away.
type awsCLI struct {
	prog   program
	srv    *teststoraged.Server
	dir    string
	bucket string
	small  []byte
	big    []byte
}

func newAWSCLI(t *testing.T, srv *teststoraged.Server) *awsCLI {
	t.Helper()
	dir := t.TempDir()
	prog := newProgram(findProgram(t, "aws", "awscli"), dir,
		"AWS_ACCESS_KEY_ID="+teststoraged.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+teststoraged.SecretKey,
		"AWS_DEFAULT_REGION="+teststoraged.Region,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	a := &awsCLI{prog: prog, srv: srv, dir: dir, bucket: "compat-awscli",
		small: testData(1, 3000), big: testData(2, bigSize)}
	writeFiles(t, dir, map[string][]byte{
		"small.txt": a.small, "big.bin": a.big,
		"tree/a.txt": testData(3, 10), "tree/b.txt": testData(4, 2000),
		"tree/sub/c.txt": testData(5, 0),
	})
	return a
}

// runAWSCLI runs every AWS CLI operation of the matrix.
func runAWSCLI(t *testing.T, srv *teststoraged.Server) (string, []outcome) {
	a := newAWSCLI(t, srv)
	version, err := a.prog.run(t.Context(), "--version")
	if err != nil {
		t.Fatalf("asking the AWS CLI its version: %v", err)
	}
	return "AWS CLI " + cliVersion(version), runSteps(t, a.steps())
}

// cliVersion picks "2.9.19" out of "aws-cli/2.9.19 Python/3.11.2 ...".
func cliVersion(out string) string {
	first := strings.Fields(out)
	if len(first) == 0 {
		return "(unknown version)"
	}
	return strings.TrimPrefix(first[0], "aws-cli/")
}

func (a *awsCLI) steps() []step {
	return []step{
		{"mb", a.mb},
		{"cp up small", a.upload("small.txt")},
		{"cp up 20 MiB", a.upload("big.bin")},
		{"cp down small", a.download("small.txt", a.small)},
		{"cp down 20 MiB", a.download("big.bin", a.big)},
		{"ls", a.ls},
		{"sync", a.sync},
		{"ls with prefix", a.lsPrefix},
		{"s3api put-object", a.putObject},
		{"s3api head-object", a.headObject},
		{"s3api get-object", a.getObject},
		{"s3api list-objects-v2", a.listObjectsV2},
		{"rm", a.rm},
		{"rm --recursive", a.rmRecursive},
		{"rb", a.rb},
	}
}

// aws runs the CLI against the test server with the test CA.
func (a *awsCLI) aws(ctx context.Context, args ...string) (string, error) {
	return a.prog.run(ctx, append([]string{"--endpoint-url", a.srv.Endpoint,
		"--ca-bundle", a.srv.CAFile}, args...)...)
}

func (a *awsCLI) url(key string) string {
	return "s3://" + a.bucket + "/" + key
}

func (a *awsCLI) mb(ctx context.Context) error {
	out, err := a.aws(ctx, "s3", "mb", "s3://"+a.bucket)
	if err != nil {
		return err
	}
	if err := mustContain("mb", out, "make_bucket: "+a.bucket); err != nil {
		return err
	}
	out, err = a.aws(ctx, "s3", "ls")
	if err != nil {
		return err
	}
	return mustContain("ls of the buckets", out, a.bucket)
}

func (a *awsCLI) upload(name string) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := a.aws(ctx, "s3", "cp", name, a.url(name))
		if err != nil {
			return err
		}
		return mustContain("cp", out, "upload: ")
	}
}

func (a *awsCLI) download(name string, want []byte) func(context.Context) error {
	return func(ctx context.Context) error {
		dest := filepath.Join(a.dir, "down-"+name)
		if _, err := a.aws(ctx, "s3", "cp", a.url(name), dest); err != nil {
			return err
		}
		return sameFile(dest, want)
	}
}

func (a *awsCLI) ls(ctx context.Context) error {
	out, err := a.aws(ctx, "s3", "ls", "s3://"+a.bucket+"/")
	if err != nil {
		return err
	}
	return mustContain("ls", out, fmt.Sprintf("%d small.txt", len(a.small)))
}

// sync uploads a small tree, then checks that a second sync finds
// nothing to do (it compares sizes and times from the listing).
func (a *awsCLI) sync(ctx context.Context) error {
	out, err := a.aws(ctx, "s3", "sync", "tree", a.url("tree/"))
	if err != nil {
		return err
	}
	if n := strings.Count(out, "upload: "); n != 3 {
		return fmt.Errorf("first sync: got %d uploads (%q), want 3", n, tail(out, 5))
	}
	out, err = a.aws(ctx, "s3", "sync", "tree", a.url("tree/"))
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		return fmt.Errorf("second sync: got %q, want nothing to do", tail(out, 5))
	}
	return nil
}

func (a *awsCLI) lsPrefix(ctx context.Context) error {
	out, err := a.aws(ctx, "s3", "ls", a.url("tree/"))
	if err != nil {
		return err
	}
	if err := mustContain("ls with prefix", out, " a.txt", " b.txt", "PRE sub/"); err != nil {
		return err
	}
	return mustNotContain("ls with prefix", out, "small.txt")
}

// apiObject is what the s3api commands print about an object.
type apiObject struct {
	ETag          string
	ContentLength int64
	Contents      []struct {
		Key  string
		Size int64
		ETag string
	}
}

func (a *awsCLI) s3api(ctx context.Context, args ...string) (apiObject, error) {
	var obj apiObject
	out, err := a.aws(ctx, append([]string{"s3api"}, args...)...)
	if err != nil {
		return obj, err
	}
	if err := json.Unmarshal([]byte(out), &obj); err != nil {
		return obj, fmt.Errorf("decoding the CLI's JSON %q: %w", tail(out, 5), err)
	}
	return obj, nil
}

func (a *awsCLI) wantETag() string {
	sum := md5.Sum(a.small)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func (a *awsCLI) putObject(ctx context.Context) error {
	obj, err := a.s3api(ctx, "put-object", "--bucket", a.bucket, "--key", "api/object.txt",
		"--body", "small.txt")
	if err != nil {
		return err
	}
	if obj.ETag != a.wantETag() {
		return fmt.Errorf("put-object ETag: got %s, want %s", obj.ETag, a.wantETag())
	}
	return nil
}

func (a *awsCLI) headObject(ctx context.Context) error {
	obj, err := a.s3api(ctx, "head-object", "--bucket", a.bucket, "--key", "api/object.txt")
	if err != nil {
		return err
	}
	if obj.ETag != a.wantETag() || obj.ContentLength != int64(len(a.small)) {
		return fmt.Errorf("head-object: got ETag %s and length %d, want %s and %d",
			obj.ETag, obj.ContentLength, a.wantETag(), len(a.small))
	}
	return nil
}

func (a *awsCLI) getObject(ctx context.Context) error {
	dest := filepath.Join(a.dir, "api-object.txt")
	obj, err := a.s3api(ctx, "get-object", "--bucket", a.bucket, "--key", "api/object.txt", dest)
	if err != nil {
		return err
	}
	if obj.ContentLength != int64(len(a.small)) {
		return fmt.Errorf("get-object length: got %d, want %d", obj.ContentLength, len(a.small))
	}
	return sameFile(dest, a.small)
}

func (a *awsCLI) listObjectsV2(ctx context.Context) error {
	obj, err := a.s3api(ctx, "list-objects-v2", "--bucket", a.bucket, "--prefix", "api/")
	if err != nil {
		return err
	}
	if len(obj.Contents) != 1 || obj.Contents[0].Key != "api/object.txt" ||
		obj.Contents[0].Size != int64(len(a.small)) || obj.Contents[0].ETag != a.wantETag() {
		return fmt.Errorf("list-objects-v2: got %+v, want only api/object.txt of %d bytes "+
			"with ETag %s", obj.Contents, len(a.small), a.wantETag())
	}
	return nil
}

func (a *awsCLI) rm(ctx context.Context) error {
	if _, err := a.aws(ctx, "s3", "rm", a.url("small.txt")); err != nil {
		return err
	}
	out, err := a.aws(ctx, "s3", "ls", "s3://"+a.bucket+"/")
	if err != nil {
		return err
	}
	return mustNotContain("ls after rm", out, "small.txt")
}

func (a *awsCLI) rmRecursive(ctx context.Context) error {
	if _, err := a.aws(ctx, "s3", "rm", "s3://"+a.bucket+"/", "--recursive"); err != nil {
		return err
	}
	out, err := a.aws(ctx, "s3", "ls", "s3://"+a.bucket+"/", "--recursive")
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		return fmt.Errorf("ls after rm --recursive: got %q, want nothing", tail(out, 5))
	}
	return nil
}

func (a *awsCLI) rb(ctx context.Context) error {
	if _, err := a.aws(ctx, "s3", "rb", "s3://"+a.bucket); err != nil {
		return err
	}
	out, err := a.aws(ctx, "s3", "ls")
	if err != nil {
		return err
	}
	return mustNotContain("ls of the buckets after rb", out, a.bucket)
}
