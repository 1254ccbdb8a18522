package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// env is a fake environment for parseOptions.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// writeCredentials writes a credentials file with the given mode.
func writeCredentials(t *testing.T, mode os.FileMode, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials.json")
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeKeyPair writes a throwaway self-signed certificate and key.
func writeKeyPair(t *testing.T) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
	return certFile, keyFile
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

const goodCredentials = `{"accessKeyId":"AKIDTEST","secretAccessKey":"secret-key-123"}`

func TestParseOptionsAccepts(t *testing.T) {
	t.Parallel()
	creds := writeCredentials(t, 0o600, goodCredentials)
	certFile, keyFile := writeKeyPair(t)
	base := []string{"--credentials-file", creds, "--insecure-http"}
	tests := []struct {
		name   string
		args   []string
		env    env
		check  func(options) string
		expect string
	}{
		{"four drives default to parity 2 and the default listen address",
			append([]string{"--drive", "/d1,/d2", "--drive", "/d3", "--drive", "/d4"}, base...), nil,
			func(o options) string {
				return strings.Join([]string{o.listen, itoa(o.parity), itoa(len(o.drives)), o.region}, " ")
			}, "127.0.0.1:9000 2 4 us-east-1"},
		{"two drives default to parity 1", append([]string{"--drive", "/a,/b"}, base...), nil,
			func(o options) string { return itoa(o.parity) }, "1"},
		{"six drives default to parity 3", append([]string{"--drive", "/1,/2,/3,/4,/5,/6"}, base...),
			nil, func(o options) string { return itoa(o.parity) }, "3"},
		{"eight drives default to parity 4",
			append([]string{"--drive", "/1,/2,/3,/4,/5,/6,/7,/8"}, base...), nil,
			func(o options) string { return itoa(o.parity) }, "4"},
		{"drives, parity and listen come from the environment", base,
			env{envDrives: "/x,/y,/z,/w", envParity: "1", envListen: "127.0.0.1:0"},
			func(o options) string { return o.listen + " " + itoa(o.parity) + " " + o.drives[3] },
			"127.0.0.1:0 1 /w"},
		{"a flag wins over the environment",
			append([]string{"--drive", "/a,/b", "--region", "eu-west-1"}, base...),
			env{envDrives: "/x,/y,/z,/w", envRegion: "us-west-2"},
			func(o options) string { return itoa(len(o.drives)) + " " + o.region }, "2 eu-west-1"},
		{"credentials come from the environment without a file",
			[]string{"--drive", "/a,/b", "--insecure-http"},
			env{envRootAccessKeyID: "AKIDENV", envRootSecretAccessKey: "env-secret-1"},
			func(o options) string { return o.credentials.AccessKeyID }, "AKIDENV"},
		{"TLS files are accepted",
			[]string{"--drive", "/a,/b", "--credentials-file", creds, "--tls-cert", certFile,
				"--tls-key", keyFile}, nil,
			func(o options) string { return filepath.Base(o.tlsCert) }, "cert.pem"},
		{"the log level and JSON switch are read",
			append([]string{"--drive", "/a,/b", "--log-level", "debug", "--log-json"}, base...), nil,
			func(o options) string { return o.logLevel.String() + " " + boolStr(o.logJSON) },
			"debug true"},
		{"metrics are on unless turned off", append([]string{"--drive", "/a,/b"}, base...), nil,
			func(o options) string { return boolStr(o.metrics) }, "true"},
		{"--metrics=false turns metrics off",
			append([]string{"--drive", "/a,/b", "--metrics=false"}, base...), nil,
			func(o options) string { return boolStr(o.metrics) }, "false"},
		{"the environment turns metrics off", append([]string{"--drive", "/a,/b"}, base...),
			env{envMetrics: "false"}, func(o options) string { return boolStr(o.metrics) },
			"false"},
		{"without --rrs-parity reduced redundancy gets the parity",
			append([]string{"--drive", "/a,/b,/c,/d"}, base...), nil,
			func(o options) string { return itoa(o.rrsParity) }, "0"},
		{"--rrs-parity sets the parity of reduced redundancy",
			append([]string{"--drive", "/a,/b,/c,/d", "--rrs-parity", "1"}, base...), nil,
			func(o options) string { return itoa(o.parity) + " " + itoa(o.rrsParity) }, "2 1"},
		{"--rrs-parity may equal the parity",
			append([]string{"--drive", "/a,/b,/c,/d", "--rrs-parity", "2"}, base...), nil,
			func(o options) string { return itoa(o.rrsParity) }, "2"},
		{"--rrs-parity comes from the environment",
			append([]string{"--drive", "/a,/b,/c,/d"}, base...), env{envRRSParity: "1"},
			func(o options) string { return itoa(o.rrsParity) }, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseOptions(tt.args, tt.env.get, &bytes.Buffer{})
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got := tt.check(o); got != tt.expect {
				t.Errorf("got %q, want %q", got, tt.expect)
			}
		})
	}
}

func TestParseOptionsRefuses(t *testing.T) {
	t.Parallel()
	creds := writeCredentials(t, 0o600, goodCredentials)
	openCreds := writeCredentials(t, 0o644, goodCredentials)
	badJSON := writeCredentials(t, 0o600, `{"accessKey":"x"}`)
	base := []string{"--credentials-file", creds, "--insecure-http"}
	tests := []struct {
		name string
		args []string
		env  env
		want string
	}{
		{"one drive is refused", append([]string{"--drive", "/only"}, base...), nil,
			"at least 2"},
		{"no drive is refused", base, nil, "--drive: got 0"},
		{"a drive named twice is refused", append([]string{"--drive", "/a,/a"}, base...), nil,
			"given twice"},
		{"an empty drive entry is refused", append([]string{"--drive", "/a,,/b"}, base...), nil,
			"empty drive path"},
		{"a parity over half the drives is refused",
			append([]string{"--drive", "/a,/b,/c,/d", "--parity", "3"}, base...), nil,
			"breaks quorum"},
		{"parity zero is refused", append([]string{"--drive", "/a,/b", "--parity", "0"}, base...),
			nil, "--parity 0"},
		{"an rrs parity over the parity is refused",
			append([]string{"--drive", "/a,/b,/c,/d", "--rrs-parity", "3"}, base...), nil,
			"--rrs-parity 3 with parity 2: give 1 to 2"},
		{"an rrs parity of 0 is refused",
			append([]string{"--drive", "/a,/b,/c,/d", "--rrs-parity", "0"}, base...), nil,
			"--rrs-parity 0"},
		{"a negative rrs parity is refused",
			append([]string{"--drive", "/a,/b,/c,/d", "--rrs-parity", "-1"}, base...), nil,
			"--rrs-parity -1"},
		{"an rrs parity in the environment that is not a number is refused",
			append([]string{"--drive", "/a,/b,/c,/d"}, base...), env{envRRSParity: "one"},
			envRRSParity},
		{"HTTP without TLS files needs --insecure-http",
			[]string{"--drive", "/a,/b", "--credentials-file", creds}, nil, "--tls-cert and --tls-key"},
		{"TLS files that do not exist are refused",
			[]string{"--drive", "/a,/b", "--credentials-file", creds, "--tls-cert", "/nope.pem",
				"--tls-key", "/nope-key.pem"}, nil, "/nope.pem"},
		{"insecure HTTP with TLS files is refused",
			append([]string{"--drive", "/a,/b", "--tls-cert", "c", "--tls-key", "k"}, base...), nil,
			"cannot be combined"},
		{"a credentials file others can read is refused",
			[]string{"--drive", "/a,/b", "--insecure-http", "--credentials-file", openCreds}, nil,
			"chmod 600"},
		{"a credentials file of the wrong shape is refused",
			[]string{"--drive", "/a,/b", "--insecure-http", "--credentials-file", badJSON}, nil,
			"is not JSON of the form"},
		{"missing credentials are refused", []string{"--drive", "/a,/b", "--insecure-http"}, nil,
			"no credentials"},
		{"a bad log level is refused", append([]string{"--drive", "/a,/b", "--log-level", "loud"},
			base...), nil, "--log-level"},
		{"a bad listen address is refused", append([]string{"--drive", "/a,/b", "--listen",
			"localhost"}, base...), nil, "--listen"},
		{"a bad region is refused", append([]string{"--drive", "/a,/b", "--region", "US East"},
			base...), nil, "--region"},
		{"a positional argument is refused", append([]string{"--drive", "/a,/b", "serve"},
			base...), nil, "unexpected argument"},
		{"an unknown flag is refused", append([]string{"--drives", "/a,/b"}, base...), nil,
			"flag provided but not defined"},
		{"a bad boolean in the environment is refused", []string{"--drive", "/a,/b"},
			env{envInsecureHTTP: "maybe"}, envInsecureHTTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseOptions(tt.args, tt.env.get, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestRunExitsWithUsageOnBadFlags(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"--drive", "/one"}, env{}.get, &stderr)
	if code != exitUsage {
		t.Errorf("got exit status %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), "at least 2") {
		t.Errorf("got message %q, want one that says how many drives", stderr.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
