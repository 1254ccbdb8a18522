package durability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/internal/teststoraged"
	"github.com/strata-storage/strata/storaged/s3api"
)

// TestForeignDriveOfARunningNodeIsLeftAlone puts drive 3's format file
// in drive 1's folder of a running single node, as if two disks were
// swapped: the node must serve drive 1 as offline with the mismatch,
// write nothing to it and keep its format file, keep serving from the
// other drives, and take the drive back once its own format returns.
func TestForeignDriveOfARunningNodeIsLeftAlone(t *testing.T) {
	srv, lt := startSingleNode(t)
	client := lt.clients[0]
	if _, err := client.CreateBucket(context.Background(),
		&s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating the bucket: %v", err)
	}
	formatOf := func(i int) string {
		return filepath.Join(srv.Drives[i], ".strata.sys", "format.json")
	}
	own, err := os.ReadFile(formatOf(1))
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := os.ReadFile(formatOf(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(formatOf(1), foreign, 0o644); err != nil {
		t.Fatal(err)
	}

	st := waitDriveState(t, srv, 1, false)
	if !strings.Contains(st.Error, "another set or index") {
		t.Errorf("got drive 1 offline with %q, want the format mismatch named", st.Error)
	}
	srv.WaitForLog(t, "drive holds another drive's format")
	l := newLedger()
	for i := range 10 {
		key := fmt.Sprintf("foreign-%02d", i)
		data := body(key, 0, healSizes[i%len(healSizes)])
		if err := put(client, bucket, key, data); err != nil {
			t.Fatalf("PUT %s with drive 1 offline: %v", key, err)
		}
		l.put(key, stored{size: len(data), sum: sha256.Sum256(data)})
	}
	var onForeign, readOK int
	for _, key := range l.keys() {
		if _, err := readDiskMeta(srv.Drives[1], bucket, key); err == nil {
			onForeign++
		}
		if readBack(client, bucket, key, l.get(key)) == "" {
			readOK++
		}
	}
	kept, _ := os.ReadFile(formatOf(1))
	t.Logf("foreign format on drive 1: offline (%s); %d objects written and %d read back "+
		"meanwhile, %d of them on the foreign drive", st.Error, len(l.keys()), readOK,
		onForeign)
	if onForeign != 0 || readOK != len(l.keys()) || !bytes.Equal(kept, foreign) {
		t.Errorf("got %d objects on the foreign drive, %d of %d read back, format kept %v; "+
			"want none, all, true", onForeign, readOK, len(l.keys()), bytes.Equal(kept, foreign))
	}

	if err := os.WriteFile(formatOf(1), own, 0o644); err != nil {
		t.Fatal(err)
	}
	waitDriveState(t, srv, 1, true)
	srv.WaitForLog(t, "drive answers with its own format again")
}

// waitDriveState waits until /strata/health/drives reports drive i online
// or offline as asked, and returns its state.
func waitDriveState(t *testing.T, srv *teststoraged.Server, i int,
	online bool) erasure.DriveState {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var rep s3api.DrivesReport
	for {
		err := getJSON(srv.HTTPClient(), srv.Endpoint+"/strata/health/drives", &rep)
		if err == nil && len(rep.Drives) > i && rep.Drives[i].Online == online {
			return rep.Drives[i]
		}
		if time.Now().After(deadline) {
			t.Fatalf("drive %d not online=%v within 10s: %+v, %v", i, online, rep, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// getJSON GETs u and decodes its JSON body into v.
func getJSON(hc *http.Client, u string, v any) error {
	resp, err := hc.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
