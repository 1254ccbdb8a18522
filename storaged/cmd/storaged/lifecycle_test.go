package main

import (
	"io"
	"testing"
	"time"
)

func TestCheckLifecycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, interval, rate string
		want                 lifecycleOptions
		wantErr              bool
	}{
		{"no flags give the defaults", "", "", lifecycleOptions{time.Hour, 500}, false},
		{"an interval and a rate are taken", "10m", "50",
			lifecycleOptions{10 * time.Minute, 50}, false},
		{"an interval of zero turns passes off", "0", "", lifecycleOptions{-1, 500}, false},
		{"a negative interval is refused", "-1h", "", lifecycleOptions{}, true},
		{"a rate of zero is refused", "", "0", lifecycleOptions{}, true},
		{"a rate that is not a number is refused", "", "fast", lifecycleOptions{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := checkLifecycle(tt.interval, tt.rate)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseOptionsReadsLifecycleFromTheEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{envLifecycleInterval: "30m", envLifecycleRate: "20",
		envRootAccessKeyID: "AKIDLIFECYCLE", envRootSecretAccessKey: "lifecycle-secret-0123"}
	args := []string{"--insecure-http", "--drive", t.TempDir(), "--drive", t.TempDir()}
	opts, err := parseOptions(args, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("parseOptions: %v", err)
	}
	if want := (lifecycleOptions{30 * time.Minute, 20}); opts.lifecycle != want {
		t.Errorf("lifecycle: got %+v, want %+v", opts.lifecycle, want)
	}
}
