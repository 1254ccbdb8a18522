package sets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

func TestRestoreVersionGoesToTheKeysSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, sets := newLayers(t, 3)
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	info := object.ObjectInfo{VersionID: object.NullVersion, Size: 4, ETag: "e",
		ModTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	got, err := l.RestoreVersion(ctx, "bkt", "k", strings.NewReader("body"), info)
	if err != nil || !got.ModTime.Equal(info.ModTime) || got.ETag != "e" {
		t.Fatalf("RestoreVersion: got %+v, %v", got, err)
	}
	own := sets[Index("bkt", "k", 3)]
	if h, err := own.HeadObject(ctx, "bkt", "k"); err != nil || !h.ModTime.Equal(info.ModTime) {
		t.Errorf("the key's set: got %+v, %v; want the restored version", h, err)
	}
}
