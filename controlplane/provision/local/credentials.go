package local

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/atomicfile"
)

const credentialsFile = "credentials.json"

// loadOrCreateCredentials reads the tenant's root keys, generating them on
// first use.
func loadOrCreateCredentials(path string) (model.Credentials, error) {
	var c model.Credentials
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &c); err != nil || c.AccessKeyID == "" {
			return c, fmt.Errorf("local: %s is damaged: %v", path, err)
		}
		return c, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return c, fmt.Errorf("local: reading credentials: %w", err)
	}
	c = model.Credentials{
		AccessKeyID:     randomString(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		SecretAccessKey: randomString(40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
	}
	b, _ = json.Marshal(c)
	return c, atomicfile.Write(path, b, 0o600)
}

// randomString draws n characters uniformly from alphabet.
func randomString(n int, alphabet string) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[randIndex(len(alphabet))]
	}
	return string(out)
}

func randIndex(n int) int {
	var b [1]byte
	limit := 256 - 256%n // reject values that would bias the draw
	for {
		_, _ = rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
