package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/internal/policy"
	"github.com/strata-storage/strata/storaged/s3api"
)

// envAccessKeysFile gives --access-keys-file.
const envAccessKeysFile = "STRATA_ACCESS_KEYS_FILE"

// accessKeysFile is the JSON shape of --access-keys-file.
type accessKeysFile struct {
	Keys []accessKeyEntry `json:"keys"`
}

// accessKeyEntry is one key of the file; Policy is an IAM identity policy
// document (no Principal), or absent for a key that only bucket policies
// grant anything to.
type accessKeyEntry struct {
	Name            string          `json:"name"`
	AccessKeyID     string          `json:"accessKeyId"`
	SecretAccessKey string          `json:"secretAccessKey"`
	Policy          json.RawMessage `json:"policy"`
}

// loadAccessKeys reads --access-keys-file: a file only its owner may read,
// whose keys must be valid, distinct from each other and from the root
// key, with identity policies that parse. Every problem is reported, each
// naming its key. The secrets never appear in an error.
func loadAccessKeys(path, rootAccessKeyID string) (*s3api.StaticKeys, error) {
	data, err := readPrivateFile(path)
	if err != nil {
		return nil, err
	}
	var f accessKeysFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("--access-keys-file %q is not JSON of the form {\"keys\":"+
			"[{\"name\",\"accessKeyId\",\"secretAccessKey\",\"policy\"}]}: %w", path, err)
	}
	keys, errs := accessKeys(f.Keys, rootAccessKeyID)
	store, err := s3api.NewStaticKeys(keys)
	if err := errors.Join(append(errs, err)...); err != nil {
		return nil, fmt.Errorf("--access-keys-file %q: %w", path, err)
	}
	return store, nil
}

// accessKeys turns the file's entries into keys, parsing their policies.
func accessKeys(entries []accessKeyEntry, rootAccessKeyID string) ([]s3api.Key, []error) {
	var errs []error
	keys := make([]s3api.Key, 0, len(entries))
	for i, e := range entries {
		k := s3api.Key{Name: e.Name, Credentials: s3api.Credentials{
			AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey}}
		if e.AccessKeyID == rootAccessKeyID {
			errs = append(errs, fmt.Errorf("key %d (%q): the access key ID is the root key's; "+
				"give the key its own", i, e.Name))
			continue
		}
		if len(e.Policy) > 0 && string(e.Policy) != "null" {
			p, err := policy.ParseIdentity(e.Policy)
			if err != nil {
				errs = append(errs, fmt.Errorf("key %d (%q): %w", i, e.Name, err))
				continue
			}
			k.Policy = p
		}
		keys = append(keys, k)
	}
	return keys, errs
}

// readPrivateFile reads a file that other users may not read or write.
func readPrivateFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--access-keys-file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("--access-keys-file %q has mode %04o; other users must not "+
			"read it: run chmod 600 %q", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--access-keys-file: %w", err)
	}
	return data, nil
}

// keyReloader is the s3api.KeyStore of --access-keys-file: the keys last
// loaded, swapped whole on each successful reload.
type keyReloader struct {
	path   string
	rootID string
	keys   atomic.Pointer[s3api.StaticKeys]
}

var _ s3api.KeyStore = (*keyReloader)(nil)

func newKeyReloader(path, rootID string, initial *s3api.StaticKeys) *keyReloader {
	k := &keyReloader{path: path, rootID: rootID}
	k.keys.Store(initial)
	return k
}

// Lookup finds a key among those last loaded.
func (k *keyReloader) Lookup(accessKeyID string) (s3api.Key, bool) {
	return k.keys.Load().Lookup(accessKeyID)
}

// reload reads the file again; on any error the current keys stay.
func (k *keyReloader) reload() (int, error) {
	store, err := loadAccessKeys(k.path, k.rootID)
	if err != nil {
		return 0, err
	}
	k.keys.Store(store)
	return store.Len(), nil
}

// keyStore returns the KeyStore of --access-keys-file, reloaded on each
// SIGHUP until ctx ends, or nil when no file was given. It listens for
// SIGHUP before it returns, so a signal sent once the server listens is
// never lost; the certificate reloader gets the same signal on its own
// channel.
func keyStore(ctx context.Context, opts options, logger hclog.Logger) s3api.KeyStore {
	if opts.accessKeysFile == "" {
		return nil
	}
	k := newKeyReloader(opts.accessKeysFile, opts.credentials.AccessKeyID, opts.accessKeys)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go k.reloadOnHangup(ctx, hup, logger)
	logger.Info("access keys loaded", "file", k.path, "keys", opts.accessKeys.Len())
	return k
}

// reloadOnHangup reloads the keys on each signal on hup until ctx ends.
func (k *keyReloader) reloadOnHangup(ctx context.Context, hup chan os.Signal,
	logger hclog.Logger) {
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			n, err := k.reload()
			if err != nil {
				logger.Error("access keys reload failed; keeping the current keys",
					"error", err)
				continue
			}
			logger.Info("access keys reloaded", "file", k.path, "keys", n)
		}
	}
}
