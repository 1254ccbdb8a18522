package main

import (
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/erasure"
)

func TestCheckHealReadsTheHealingFlags(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, rate, interval string
		want                 healOptions
		wantErr              bool
	}{
		{"no flags give the defaults", "", "",
			healOptions{rate: erasure.DefaultHealRate, scanInterval: time.Hour}, false},
		{"a rate and an interval are taken", "12.5", "10m",
			healOptions{rate: 12.5, scanInterval: 10 * time.Minute}, false},
		{"an interval of 0 turns the scanner off", "", "0",
			healOptions{rate: erasure.DefaultHealRate, scanInterval: -1}, false},
		{"a rate of 0 is refused", "0", "", healOptions{}, true},
		{"a rate that is no number is refused", "fast", "", healOptions{}, true},
		{"a negative interval is refused", "", "-1m", healOptions{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkHeal(tc.rate, tc.interval)
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestHealingFlagsFallBackToTheEnvironment(t *testing.T) {
	t.Parallel()
	raw, err := parseFlags(nil, env{envHealRate: "7", envScanInterval: "30s"}.get, nil)
	if err != nil {
		t.Fatal(err)
	}
	if raw.healRate != "7" || raw.scanInterval != "30s" {
		t.Errorf("got --heal-rate %q, --scan-interval %q; want 7 and 30s",
			raw.healRate, raw.scanInterval)
	}
}

func TestAFreshDriveGetsAHealJobAndAFinishedOneDoesNot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if !isFresh(dir) {
		t.Fatalf("got an empty directory not fresh, want fresh")
	}
	drives, err := erasure.OpenLocalDrives("", []string{dir + "/a", dir + "/b"})
	if err != nil {
		t.Fatal(err)
	}
	if isFresh(dir + "/a") {
		t.Errorf("got a formatted drive fresh, want not")
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, err := startHealing([]healSet{{name: "0", set: set, queue: erasure.NewHealQueue(1),
		dirs: []string{dir + "/a", dir + "/b"}, fresh: []bool{false, true}}},
		healOptions{rate: 10, scanInterval: -1}, nil, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := h.HealStatus()[0]
		if len(st.Drives) == 1 && st.Drives[0].State == erasure.JobDone {
			if st.Drives[0].Position != 1 {
				t.Errorf("got a job for drive %d, want drive 1", st.Drives[0].Position)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got jobs %+v, want one job for drive 1, done", st.Drives)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestANewStoreOfOneNodeQueuesNoDriveJobs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		hs   healSet
		want bool
	}{
		{"every drive here and fresh is a new store",
			healSet{dirs: []string{"/a", "/b"}, fresh: []bool{true, true}}, true},
		{"one drive formatted before is a replaced drive",
			healSet{dirs: []string{"/a", "/b"}, fresh: []bool{false, true}}, false},
		{"drives on another node may hold data",
			healSet{dirs: []string{"/a", ""}, fresh: []bool{true, false}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := newStore(tt.hs); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
