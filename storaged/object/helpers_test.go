package object

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/erasure"
)

// testLayer is an ErasureLayer over four fresh local drives with parity 2.
type testLayer struct {
	*ErasureLayer
	dirs []string
}

func newTestLayer(t *testing.T) *testLayer {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, 4)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 2})
	if err != nil {
		t.Fatalf("erasure.New: %v", err)
	}
	l := NewErasureLayer(set)
	t.Cleanup(func() { _ = l.Close() })
	return &testLayer{ErasureLayer: l, dirs: dirs}
}

// newLayerWithBucket returns a test layer holding the bucket "bkt".
func newLayerWithBucket(t *testing.T) *testLayer {
	t.Helper()
	l := newTestLayer(t)
	if err := l.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	return l
}

// put stores content under key in "bkt" or fails the test.
func (l *testLayer) put(t *testing.T, key, content string) ObjectInfo {
	t.Helper()
	info, err := l.PutObject(context.Background(), "bkt", key, strings.NewReader(content),
		int64(len(content)), PutOptions{})
	if err != nil {
		t.Fatalf("PutObject(%q): %v", key, err)
	}
	return info
}

// get reads a whole object, or a range of it.
func (l *testLayer) get(key string, rng *Range) (ObjectInfo, string, error) {
	info, rc, err := l.GetObject(context.Background(), "bkt", key, rng)
	if err != nil {
		return ObjectInfo{}, "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return info, string(b), err
}
