package integration

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/s3api"
)

// TestHealthReportsEachDrive checks that /strata/health/drives tells which
// drives answer, so that the control plane can report a lost drive.
func TestHealthReportsEachDrive(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	if got := driveReport(t, srv); got.Online != 4 || got.Offline != 0 || len(got.Drives) != 4 {
		t.Fatalf("fresh server: got %+v, want 4 drives online", got)
	}
	lost := srv.Drives[1]
	if err := os.RemoveAll(lost); err != nil {
		t.Fatal(err)
	}
	var got s3api.DrivesReport
	for range 50 {
		if got = driveReport(t, srv); got.Offline == 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got.Online != 3 || got.Offline != 1 || got.Drives[1].Online || got.Drives[1].Drive != lost {
		t.Errorf("after removing %s: got %+v, want that drive offline and 3 online", lost, got)
	}
}

func driveReport(t *testing.T, srv *server) s3api.DrivesReport {
	t.Helper()
	status, body, _ := plainGet(t, srv, "/strata/health/drives")
	var rep s3api.DrivesReport
	if err := json.Unmarshal([]byte(body), &rep); status != 200 || err != nil {
		t.Fatalf("GET /strata/health/drives: got %d %q (%v), want 200 and JSON", status, body, err)
	}
	return rep
}
