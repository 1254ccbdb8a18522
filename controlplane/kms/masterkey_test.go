package kms

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestMasterKeyIsCreatedOnceReadableOnlyByItsOwner(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state", MasterKeyFile)
	first, err := loadOrCreateMasterKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("got mode %04o, want 0600", got)
	}
	if len(first) != masterKeySize || bytes.Equal(first, make([]byte, masterKeySize)) {
		t.Errorf("got key %x, want %d random bytes", first, masterKeySize)
	}
	again, err := loadOrCreateMasterKey(path)
	if err != nil || !bytes.Equal(again, first) {
		t.Errorf("second open: got %x, %v; want the same key", again, err)
	}
}

func TestConcurrentFirstUsesAgreeOnOneMasterKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), MasterKeyFile)
	keys := make([][]byte, 8)
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = loadOrCreateMasterKey(path) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || !bytes.Equal(keys[i], keys[0]) {
			t.Errorf("opener %d: got %x, %v; want %x", i, keys[i], errs[i], keys[0])
		}
	}
}

func TestMasterKeyFilesThatCannotBeTrustedAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content []byte
		mode    os.FileMode
		want    string
	}{
		{"a key others may read is refused", make([]byte, masterKeySize), 0o644, "chmod 600"},
		{"a key of the wrong size is refused", []byte("short"), 0o600, "holds 5 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), MasterKeyFile)
			if err := os.WriteFile(path, tt.content, tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := loadOrCreateMasterKey(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
			if tt.mode&0o077 != 0 && !errors.Is(err, ErrMasterKeyExposed) {
				t.Errorf("got %v, want ErrMasterKeyExposed", err)
			}
		})
	}
}
