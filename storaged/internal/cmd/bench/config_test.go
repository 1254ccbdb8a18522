package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseConfigTakesDefaultsAndRefusesBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no flags give the defaults", nil, ""},
		{"zero runs are refused", []string{"-runs", "0"}, "-runs 0"},
		{"a concurrency of zero is refused", []string{"-concurrency", "1,0"}, "-concurrency"},
		{"a concurrency that is not a number is refused", []string{"-concurrency", "x"},
			"-concurrency"},
		{"an unknown figure group is refused", []string{"-figures", "s3,disk"}, "-figures"},
		{"erasure MiB that are not whole objects are refused", []string{"-erasure-mib", "100"},
			"-erasure-mib 100"},
		{"a negative phase is refused", []string{"-phase", "-1s"}, "-phase"},
		{"arguments are refused", []string{"now"}, "unexpected argument"},
		{"a storaged that is not there is refused", []string{"-storaged", "no/such/storaged"},
			"run make build first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseConfig(tt.args, io.Discard)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseConfigDefaultsMatchTheBrief(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.runs != 5 {
		t.Errorf("runs: got %d, want 5", cfg.runs)
	}
	if !slices.Equal(cfg.concurrency, []int{1, 16}) {
		t.Errorf("concurrency: got %v, want [1 16]", cfg.concurrency)
	}
	if !cfg.groups[groupS3] || !cfg.groups[groupErasure] || !cfg.groups[groupCluster] {
		t.Errorf("figure groups: got %v, want all three", cfg.groups)
	}
}
