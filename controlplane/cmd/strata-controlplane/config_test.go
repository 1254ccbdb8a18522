package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "strata.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigFileSetsDefaultsThatFlagsOverride(t *testing.T) {
	path := writeConfig(t, "listen: 127.0.0.1:9443\nresync: 3s\nstate-dir: /tmp/from-file\n")
	t.Setenv(envListen, "")
	t.Setenv(envStateDir, "/tmp/from-env")

	c, err := parseServe([]string{"--config", path, "--resync", "5s"})
	if err != nil {
		t.Fatal(err)
	}
	if c.listen != "127.0.0.1:9443" {
		t.Errorf("listen: got %s, want the file's 127.0.0.1:9443", c.listen)
	}
	if c.resync != 5*time.Second {
		t.Errorf("resync: got %s, want the flag's 5s", c.resync)
	}
	if c.stateDir != "/tmp/from-env" {
		t.Errorf("state-dir: got %s, want the environment's /tmp/from-env", c.stateDir)
	}
}

func TestConfigFileRefusesWhatItDoesNotKnow(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"an unknown key", "listn: 127.0.0.1:1\n", `unknown setting "listn"`},
		{"a bad duration", "resync: soon\n", "resync"},
		{"not YAML", "listen: [\n", "not YAML or JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe([]string{"--config=" + writeConfig(t, tt.text)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}
