package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/strata-storage/strata/storaged/s3api"
)

// credentialsFile is the JSON shape of --credentials-file.
type credentialsFile struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// loadCredentials reads the root key pair from the credentials file when
// one is named, else from the environment.
func loadCredentials(path string, getenv func(string) string) (s3api.Credentials, error) {
	var c s3api.Credentials
	var err error
	switch {
	case path != "":
		c, err = readCredentialsFile(path)
	case getenv(envRootAccessKeyID) != "" || getenv(envRootSecretAccessKey) != "":
		c = s3api.Credentials{AccessKeyID: getenv(envRootAccessKeyID),
			SecretAccessKey: getenv(envRootSecretAccessKey)}
	default:
		return c, fmt.Errorf("no credentials: pass --credentials-file FILE (JSON "+
			"{\"accessKeyId\":…,\"secretAccessKey\":…}, mode 0600) or set %s and %s",
			envRootAccessKeyID, envRootSecretAccessKey)
	}
	if err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("credentials: %w", err)
	}
	return c, nil
}

// readCredentialsFile reads a credentials file that only its owner may
// read or write.
func readCredentialsFile(path string) (s3api.Credentials, error) {
	info, err := os.Stat(path)
	if err != nil {
		return s3api.Credentials{}, fmt.Errorf("--credentials-file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return s3api.Credentials{}, fmt.Errorf("--credentials-file %q has mode %04o; other "+
			"users must not read it: run chmod 600 %q", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return s3api.Credentials{}, fmt.Errorf("--credentials-file: %w", err)
	}
	var f credentialsFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return s3api.Credentials{}, fmt.Errorf("--credentials-file %q is not JSON of the form "+
			"{\"accessKeyId\":…,\"secretAccessKey\":…}: %w", path, err)
	}
	if f.AccessKeyID == "" || f.SecretAccessKey == "" {
		return s3api.Credentials{}, errors.New("--credentials-file: both accessKeyId and " +
			"secretAccessKey must be set")
	}
	return s3api.Credentials{AccessKeyID: f.AccessKeyID, SecretAccessKey: f.SecretAccessKey}, nil
}
