package compat

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// s3cmdGaps are the s3cmd operations known not to work yet.
func s3cmdGaps() []gap {
	return nil
}

// s3cmd drives Debian's s3cmd with a configuration file of its own in a
// temporary folder: path-style addressing (host_bucket equal to host),
// HTTPS with the test CA, SigV4, and no retries.
type s3cmd struct {
	prog   program
	config string
	dir    string
	bucket string
	small  []byte
	big    []byte
	// bigStored records whether the 20 MiB put worked, so that del also
	// removes it and rb finds the bucket empty.
	bigStored bool
}

func newS3cmd(t *testing.T, srv *teststoraged.Server) *s3cmd {
	t.Helper()
	dir := t.TempDir()
	s := &s3cmd{prog: newProgram(findProgram(t, "s3cmd", "s3cmd"), dir),
		config: filepath.Join(dir, "s3cmd.cfg"), dir: dir, bucket: "compat-s3cmd",
		small: testData(11, 5000), big: testData(12, bigSize)}
	writeFiles(t, dir, map[string][]byte{"small.txt": s.small, "big.bin": s.big})
	if err := os.WriteFile(s.config, []byte(s3cmdConfig(srv)), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// s3cmdConfig is an s3cmd configuration for the test server.
func s3cmdConfig(srv *teststoraged.Server) string {
	return strings.Join([]string{
		"[default]",
		"access_key = " + teststoraged.AccessKey,
		"secret_key = " + teststoraged.SecretKey,
		"host_base = " + srv.Addr,
		"host_bucket = " + srv.Addr,
		"use_https = True",
		"check_ssl_certificate = True",
		"check_ssl_hostname = True",
		"ca_certs_file = " + srv.CAFile,
		"bucket_location = " + teststoraged.Region,
		"signature_v2 = False",
		"max_retries = 0",
		"progress_meter = False",
		"",
	}, "\n")
}

// runS3cmd runs every s3cmd operation of the matrix.
func runS3cmd(t *testing.T, srv *teststoraged.Server) (string, []outcome) {
	s := newS3cmd(t, srv)
	version, err := s.prog.run(t.Context(), "--version")
	if err != nil {
		t.Fatalf("asking s3cmd its version: %v", err)
	}
	return "s3cmd " + strings.TrimSpace(strings.TrimPrefix(version, "s3cmd version")),
		runSteps(t, s.steps())
}

func (s *s3cmd) steps() []step {
	return []step{
		{"mb", s.mb},
		{"put", s.put},
		{"put 20 MiB", s.putBig},
		{"get", s.get},
		{"ls", s.ls},
		{"la", s.la},
		{"del", s.del},
		{"rb", s.rb},
	}
}

func (s *s3cmd) s3cmd(ctx context.Context, args ...string) (string, error) {
	return s.prog.run(ctx, append([]string{"--config", s.config}, args...)...)
}

func (s *s3cmd) url(key string) string {
	return "s3://" + s.bucket + "/" + key
}

func (s *s3cmd) mb(ctx context.Context) error {
	_, err := s.s3cmd(ctx, "mb", "s3://"+s.bucket)
	if err != nil {
		return err
	}
	out, err := s.s3cmd(ctx, "ls")
	if err != nil {
		return err
	}
	return mustContain("ls of the buckets", out, "s3://"+s.bucket)
}

func (s *s3cmd) put(ctx context.Context) error {
	_, err := s.s3cmd(ctx, "put", "small.txt", s.url("small.txt"))
	return err
}

func (s *s3cmd) putBig(ctx context.Context) error {
	if _, err := s.s3cmd(ctx, "put", "big.bin", s.url("big.bin")); err != nil {
		return err
	}
	s.bigStored = true
	return nil
}

// get downloads the small object; s3cmd itself compares the MD5 of what it
// got with the ETag.
func (s *s3cmd) get(ctx context.Context) error {
	dest := filepath.Join(s.dir, "down-small.txt")
	if _, err := s.s3cmd(ctx, "get", s.url("small.txt"), dest); err != nil {
		return err
	}
	return sameFile(dest, s.small)
}

func (s *s3cmd) ls(ctx context.Context) error {
	out, err := s.s3cmd(ctx, "ls", "s3://"+s.bucket)
	if err != nil {
		return err
	}
	return mustContain("ls", out, fmt.Sprintf("%d  %s", len(s.small), s.url("small.txt")))
}

func (s *s3cmd) la(ctx context.Context) error {
	out, err := s.s3cmd(ctx, "la")
	if err != nil {
		return err
	}
	return mustContain("la", out, s.url("small.txt"))
}

func (s *s3cmd) del(ctx context.Context) error {
	keys := []string{s.url("small.txt")}
	if s.bigStored {
		keys = append(keys, s.url("big.bin"))
	}
	if _, err := s.s3cmd(ctx, append([]string{"del"}, keys...)...); err != nil {
		return err
	}
	out, err := s.s3cmd(ctx, "ls", "s3://"+s.bucket)
	if err != nil {
		return err
	}
	return mustNotContain("ls after del", out, "small.txt", "big.bin")
}

func (s *s3cmd) rb(ctx context.Context) error {
	if _, err := s.s3cmd(ctx, "rb", "s3://"+s.bucket); err != nil {
		return err
	}
	out, err := s.s3cmd(ctx, "ls")
	if err != nil {
		return err
	}
	return mustNotContain("ls of the buckets after rb", out, "s3://"+s.bucket)
}
