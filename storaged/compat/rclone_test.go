package compat

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// rcloneGaps are the rclone operations known not to work yet.
func rcloneGaps() []gap {
	return nil
}

// rcloneModTime is the modification time given to the uploaded files, so
// that lsl shows whether rclone's mtime metadata came back.
func rcloneModTime() time.Time {
	return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
}

// rclone drives Debian's rclone with a generated configuration file that
// holds one S3 remote, "strata", for the test server (provider Other,
// path style, keys in the file, not from the environment) and the test CA
// through --ca-cert. Retries are off.
type rclone struct {
	prog   program
	config string
	ca     string
	bucket string
	files  map[string][]byte // under tree/
}

func newRclone(t *testing.T, srv *teststoraged.Server) *rclone {
	t.Helper()
	dir := t.TempDir()
	r := &rclone{prog: newProgram(findProgram(t, "rclone", "rclone"), dir),
		config: filepath.Join(dir, "rclone.conf"), ca: srv.CAFile, bucket: "compat-rclone",
		files: map[string][]byte{"a.txt": testData(21, 10), "b.txt": testData(22, 70_000),
			"sub/c.txt": testData(23, 0), "sub/d.bin": testData(24, 3*mib)}}
	tree := filepath.Join(dir, "tree")
	writeFiles(t, tree, r.files)
	for name := range r.files {
		mtime := rcloneModTime()
		if err := os.Chtimes(filepath.Join(tree, name), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(r.config, []byte(rcloneConfig(srv)), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// rcloneConfig is an rclone configuration with the remote "strata".
func rcloneConfig(srv *teststoraged.Server) string {
	return strings.Join([]string{
		"[strata]",
		"type = s3",
		"provider = Other",
		"env_auth = false",
		"access_key_id = " + teststoraged.AccessKey,
		"secret_access_key = " + teststoraged.SecretKey,
		"endpoint = " + srv.Endpoint,
		"region = " + teststoraged.Region,
		"force_path_style = true",
		"",
	}, "\n")
}

// runRclone runs every rclone operation of the matrix.
func runRclone(t *testing.T, srv *teststoraged.Server) (string, []outcome) {
	r := newRclone(t, srv)
	version, err := r.prog.run(t.Context(), "version")
	if err != nil {
		t.Fatalf("asking rclone its version: %v", err)
	}
	label := "rclone"
	if f := strings.Fields(version); len(f) > 1 {
		label += " " + f[1]
	}
	return label, runSteps(t, r.steps())
}

func (r *rclone) steps() []step {
	return []step{
		{"mkdir", r.mkdir},
		{"copy", r.copy},
		{"ls", r.ls},
		{"lsl", r.lsl},
		{"cat", r.cat},
		{"check", r.check},
		{"delete", r.delete},
		{"purge", r.purge},
	}
}

func (r *rclone) rclone(ctx context.Context, args ...string) (string, error) {
	return r.prog.run(ctx, append([]string{"--config", r.config, "--ca-cert", r.ca,
		"--retries", "1", "--low-level-retries", "1"}, args...)...)
}

func (r *rclone) remote(path string) string {
	return "strata:" + r.bucket + "/" + path
}

func (r *rclone) mkdir(ctx context.Context) error {
	if _, err := r.rclone(ctx, "mkdir", "strata:"+r.bucket); err != nil {
		return err
	}
	out, err := r.rclone(ctx, "lsd", "strata:")
	if err != nil {
		return err
	}
	return mustContain("lsd", out, " "+r.bucket+"\n")
}

func (r *rclone) copy(ctx context.Context) error {
	_, err := r.rclone(ctx, "copy", "tree", r.remote("tree"))
	return err
}

func (r *rclone) ls(ctx context.Context) error {
	out, err := r.rclone(ctx, "ls", "strata:"+r.bucket)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(r.files) {
		want := fmt.Sprintf("%d tree/%s\n", len(r.files[name]), name)
		if err := mustContain("ls", out, want); err != nil {
			return err
		}
	}
	return nil
}

// lsl checks sizes, names and the modification times that rclone keeps in
// the objects' user metadata.
func (r *rclone) lsl(ctx context.Context) error {
	out, err := r.rclone(ctx, "lsl", "strata:"+r.bucket)
	if err != nil {
		return err
	}
	when := rcloneModTime().Format("2006-01-02 15:04:05") // the program runs with TZ=UTC
	for _, name := range sortedKeys(r.files) {
		want := fmt.Sprintf("%d %s.000000000 tree/%s\n", len(r.files[name]), when, name)
		if err := mustContain("lsl", out, want); err != nil {
			return err
		}
	}
	return nil
}

func (r *rclone) cat(ctx context.Context) error {
	out, err := r.rclone(ctx, "cat", r.remote("tree/b.txt"))
	if err != nil {
		return err
	}
	if out != string(r.files["b.txt"]) {
		return fmt.Errorf("cat: got %d bytes that differ from the %d uploaded", len(out),
			len(r.files["b.txt"]))
	}
	return nil
}

// check compares the local tree with the remote one by size and MD5 (the
// ETag).
func (r *rclone) check(ctx context.Context) error {
	_, err := r.rclone(ctx, "check", "tree", r.remote("tree"))
	return err
}

func (r *rclone) delete(ctx context.Context) error {
	if _, err := r.rclone(ctx, "delete", r.remote("tree/sub")); err != nil {
		return err
	}
	out, err := r.rclone(ctx, "ls", "strata:"+r.bucket)
	if err != nil {
		return err
	}
	if err := mustNotContain("ls after delete", out, "tree/sub/"); err != nil {
		return err
	}
	return mustContain("ls after delete", out, "tree/a.txt", "tree/b.txt")
}

func (r *rclone) purge(ctx context.Context) error {
	if _, err := r.rclone(ctx, "purge", "strata:"+r.bucket); err != nil {
		return err
	}
	out, err := r.rclone(ctx, "lsd", "strata:")
	if err != nil {
		return err
	}
	return mustNotContain("lsd after purge", out, " "+r.bucket+"\n")
}
