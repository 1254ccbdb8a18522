package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

const (
	keyAlpha = `{"name":"alpha","accessKeyId":"AKIDALPHA","secretAccessKey":"alpha-secret-0123",` +
		`"policy":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::b/*"}}}`
	keyBeta = `{"name":"beta","accessKeyId":"AKIDBETA","secretAccessKey":"beta-secret-01234"}`
	rootID  = "AKIDROOT"
)

// writeKeysFile writes an access keys file with the given keys and mode.
func writeKeysFile(t *testing.T, dir string, mode os.FileMode, keys ...string) string {
	t.Helper()
	path := filepath.Join(dir, "keys.json")
	body := `{"keys":[` + strings.Join(keys, ",") + `]}`
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadAccessKeysAccepts(t *testing.T) {
	t.Parallel()
	path := writeKeysFile(t, t.TempDir(), 0o600, keyAlpha, keyBeta)
	store, err := loadAccessKeys(path, rootID)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	alpha, ok := store.Lookup("AKIDALPHA")
	if !ok || alpha.Name != "alpha" || alpha.Policy == nil {
		t.Errorf("alpha: got name %q, found %v, policy %v; want alpha with a policy",
			alpha.Name, ok, alpha.Policy != nil)
	}
	if beta, ok := store.Lookup("AKIDBETA"); !ok || beta.Policy != nil {
		t.Errorf("beta: got found %v, policy %v; want found without a policy", ok,
			beta.Policy != nil)
	}
}

func TestLoadAccessKeysRefuses(t *testing.T) {
	t.Parallel()
	badPolicy := strings.Replace(keyAlpha, "s3:GetObject", "s3:Teleport", 1)
	withPrincipal := strings.Replace(keyAlpha, `"Effect":"Allow",`,
		`"Effect":"Allow","Principal":"*",`, 1)
	tests := []struct {
		name string
		mode os.FileMode
		keys []string
		want []string
	}{
		{"a file others may read", 0o644, []string{keyBeta}, []string{"chmod 600"}},
		{"a bad policy, naming the key and the problem", 0o600, []string{badPolicy, keyBeta},
			[]string{`key 0 ("alpha")`, `unknown action "s3:Teleport"`}},
		{"a policy with a principal", 0o600, []string{withPrincipal},
			[]string{`key 0 ("alpha")`, "must not name a Principal"}},
		{"the root key's ID", 0o600, []string{strings.Replace(keyBeta, "AKIDBETA", rootID, 1)},
			[]string{`key 0 ("beta")`, "the root key's"}},
		{"two keys of one name", 0o600, []string{keyBeta,
			strings.Replace(keyBeta, "AKIDBETA", "AKIDGAMMA", 1)}, []string{"name is used"}},
		{"an unknown field", 0o600, []string{`{"name":"x","secret":"y"}`},
			[]string{"unknown field"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeKeysFile(t, t.TempDir(), tt.mode, tt.keys...)
			_, err := loadAccessKeys(path, rootID)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret-0123") {
				t.Errorf("got error %q, which holds a secret", err)
			}
		})
	}
}

func TestParseOptionsRefusesABadAccessKeysFile(t *testing.T) {
	t.Parallel()
	creds := writeCredentials(t, 0o600, goodCredentials)
	keys := writeKeysFile(t, t.TempDir(), 0o600,
		strings.Replace(keyAlpha, "s3:GetObject", "s3:Teleport", 1))
	for _, args := range [][]string{
		{"--access-keys-file", keys},
		nil,
	} {
		e := env{}
		if args == nil {
			e[envAccessKeysFile] = keys
		}
		args = append(args, "--drive", "/a,/b", "--insecure-http", "--credentials-file", creds)
		_, err := parseOptions(args, e.get, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), `key 0 ("alpha")`) {
			t.Errorf("args %q: got error %v, want one naming key alpha", args, err)
		}
	}
}

func TestKeyReloaderKeepsTheKeysWhenAReloadFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeKeysFile(t, dir, 0o600, keyAlpha)
	initial, err := loadAccessKeys(path, rootID)
	if err != nil {
		t.Fatal(err)
	}
	k := newKeyReloader(path, rootID, initial)

	writeKeysFile(t, dir, 0o600, keyAlpha, keyBeta)
	if n, err := k.reload(); err != nil || n != 2 {
		t.Fatalf("a good reload: got %d keys, %v; want 2, nil", n, err)
	}
	if _, ok := k.Lookup("AKIDBETA"); !ok {
		t.Fatal("after a good reload: beta not found")
	}
	writeKeysFile(t, dir, 0o600, `{"name":`)
	if _, err := k.reload(); err == nil {
		t.Fatal("a broken file: got no error, want one")
	}
	if _, ok := k.Lookup("AKIDBETA"); !ok {
		t.Fatal("after a failed reload: beta not found, want the previous keys kept")
	}
}

// TestSIGHUPReloadsTheAccessKeys sends this process a SIGHUP; it is not
// parallel so that no other test sees the signal.
func TestSIGHUPReloadsTheAccessKeys(t *testing.T) {
	dir := t.TempDir()
	path := writeKeysFile(t, dir, 0o600, keyAlpha)
	initial, err := loadAccessKeys(path, rootID)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := options{accessKeysFile: path, accessKeys: initial}
	opts.credentials.AccessKeyID = rootID
	store := keyStore(ctx, opts, hclog.NewNullLogger())
	if _, ok := store.Lookup("AKIDBETA"); ok {
		t.Fatal("before SIGHUP: beta found, want it absent")
	}
	writeKeysFile(t, dir, 0o600, keyAlpha, keyBeta)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := store.Lookup("AKIDBETA"); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("after SIGHUP: beta not found within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKeyStoreIsNilWithoutAFile(t *testing.T) {
	t.Parallel()
	if got := keyStore(context.Background(), options{}, hclog.NewNullLogger()); got != nil {
		t.Fatalf("got %T, want a nil KeyStore", got)
	}
}
