package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseOptionsDomains(t *testing.T) {
	t.Parallel()
	creds := writeCredentials(t, 0o600, goodCredentials)
	base := []string{"--drive", "/a,/b", "--credentials-file", creds, "--insecure-http"}
	tests := []struct {
		name string
		args []string
		env  env
		want string
	}{
		{"no domain means path style only", base, nil, ""},
		{"a repeated flag collects every domain",
			append([]string{"--domain", "s3.strata.test", "--domain", "s3.example.com"}, base...),
			nil, "s3.strata.test s3.example.com"},
		{"a comma list is split",
			append([]string{"--domain", "s3.strata.test, s3.example.com"}, base...), nil,
			"s3.strata.test s3.example.com"},
		{"the environment gives domains when the flag is absent", base,
			env{envDomains: "s3.strata.test,s3.other.test"}, "s3.strata.test s3.other.test"},
		{"the flag wins over the environment",
			append([]string{"--domain", "s3.strata.test"}, base...),
			env{envDomains: "s3.other.test"}, "s3.strata.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseOptions(tt.args, tt.env.get, &bytes.Buffer{})
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got := strings.Join(o.domains, " "); got != tt.want {
				t.Fatalf("got domains %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseOptionsRefusesDomains(t *testing.T) {
	t.Parallel()
	creds := writeCredentials(t, 0o600, goodCredentials)
	base := []string{"--drive", "/a,/b", "--credentials-file", creds, "--insecure-http"}
	tests := []struct {
		name string
		args []string
		env  env
		want string
	}{
		{"a single label is refused", append([]string{"--domain", "localhost"}, base...), nil,
			"at least two labels"},
		{"a port is refused", append([]string{"--domain", "s3.strata.test:9000"}, base...), nil,
			"label"},
		{"upper case is refused", append([]string{"--domain", "S3.Strata.Test"}, base...), nil,
			"label"},
		{"an empty list entry is refused", append([]string{"--domain", "a.test,"}, base...),
			nil, "empty domain"},
		{"a duplicate is refused",
			append([]string{"--domain", "s3.strata.test", "--domain", "s3.strata.test"},
				base...), nil, "given twice"},
		{"a bad environment value is refused", base, env{envDomains: "bad_name.test"},
			"--domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseOptions(tt.args, tt.env.get, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
