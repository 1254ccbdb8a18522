package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// envConfig names the environment variable that points at a config file.
const envConfig = "STRATA_CONFIG"

// flagEnv maps each flag that has an environment fallback to its variable,
// so that a config file does not override the environment.
var flagEnv = map[string]string{
	"listen":           envListen,
	"state-dir":        envStateDir,
	"storaged-bin":     envStoraged,
	"log-level":        envLogLevel,
	"store":            envStore,
	"secrets-key-file": envSecrets,
}

// configPath finds --config in args (before the flags are parsed, since the
// file supplies their defaults), falling back to $STRATA_CONFIG.
func configPath(args []string) string {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return os.Getenv(envConfig)
}

// applyConfigFile sets fs's flags from a YAML or JSON file whose keys are
// the flags' names, such as `state-dir: /var/lib/strata`. A flag whose
// environment variable is set keeps that value, and flags on the command
// line, parsed afterwards, win over both. An unknown key is an error.
func applyConfigFile(fs *flag.FlagSet, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading config file: %w", err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(b, &values); err != nil {
		return fmt.Errorf("config file %s is not YAML or JSON: %w", path, err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if fs.Lookup(key) == nil || key == "config" {
			return fmt.Errorf("config file %s: unknown setting %q; settings are the flags of "+
				"serve without dashes, such as listen and state-dir", path, key)
		}
		if env, ok := flagEnv[key]; ok && os.Getenv(env) != "" {
			continue
		}
		if err := fs.Set(key, fmt.Sprint(values[key])); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, key, err)
		}
	}
	return nil
}
