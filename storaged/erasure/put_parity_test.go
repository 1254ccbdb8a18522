package erasure

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// putWithParity stores data under key with the given parity or fails the
// test.
func putWithParity(t testing.TB, s *Set, key string, data []byte, parity int) {
	t.Helper()
	_, err := s.Put(context.Background(), "bkt", key, bytes.NewReader(data),
		PutOptions{Parity: parity})
	if err != nil {
		t.Fatalf("Put(%s, parity %d): %v", key, parity, err)
	}
}

func TestPutWithParityRecordsItsOwnGeometry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		parity               int
		wantData, wantParity int
	}{
		{"parity 0 takes the set's 2+2", 0, 2, 2},
		{"parity 1 makes 3 data shards and 1 parity shard", 1, 3, 1},
		{"parity 2, the set's own, makes 2+2", 2, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newHealSet(t, 4, 2)
			data := randomBytes(3*DefaultBlockSize+777, 11)
			putWithParity(t, ts.Set, "k", data, tt.parity)
			for i := range ts.dirs {
				m, err := ts.diskMeta(t, i, "k")
				if err != nil {
					t.Fatalf("drive %d: %v", i, err)
				}
				if m.Erasure.Data != tt.wantData || m.Erasure.Parity != tt.wantParity {
					t.Errorf("drive %d: got %d+%d, want %d+%d", i, m.Erasure.Data,
						m.Erasure.Parity, tt.wantData, tt.wantParity)
				}
			}
			ts.checkWholeOnDisk(t, "k")
			got, err := readAll(ts.Set, "k")
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back: %d bytes, err %v; want the %d bytes written",
					len(got), err, len(data))
			}
		})
	}
}

func TestPutRefusesAParityOutsideTheSets(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	for _, parity := range []int{-1, 3, 4} {
		_, err := ts.Put(context.Background(), "bkt", "k", bytes.NewReader([]byte("x")),
			PutOptions{Parity: parity})
		if !errors.Is(err, ErrInvalidParity) {
			t.Errorf("parity %d: got %v, want ErrInvalidParity", parity, err)
		}
	}
	_, err := ts.NewUpload(context.Background(), "bkt", "k", UploadOptions{Parity: 3})
	if !errors.Is(err, ErrInvalidParity) {
		t.Errorf("NewUpload with parity 3: got %v, want ErrInvalidParity", err)
	}
	if _, err := ts.Stat(context.Background(), "bkt", "k"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("Stat after refused writes: got %v, want ErrObjectNotFound", err)
	}
}

// TestReducedParityFollowsTheObjectsQuorum shows that reads and healing
// use the object's 3+1 geometry, not the set's 2+2: one lost drive is
// served and healed, two are below the object's read quorum although the
// set's own objects survive them.
func TestReducedParityFollowsTheObjectsQuorum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newHealSet(t, 4, 2)
	reduced, standard := randomBytes(2*DefaultBlockSize+5, 12), randomBytes(1000, 13)
	putWithParity(t, ts.Set, "rrs", reduced, 1)
	putWithParity(t, ts.Set, "std", standard, 0)

	mustRemoveAll(t, ts.objectPath(2, "rrs"))
	got, err := readAll(ts.Set, "rrs")
	if err != nil || !bytes.Equal(got, reduced) {
		t.Fatalf("read with one drive lost: %d bytes, err %v", len(got), err)
	}
	res, err := ts.HealObject(ctx, "bkt", "rrs")
	if err != nil || res.Drives[2].State != HealHealed {
		t.Fatalf("HealObject: drive 2 %v, err %v; want healed", res.Drives[2].State, err)
	}
	ts.checkWholeOnDisk(t, "rrs")

	for _, i := range []int{0, 1} {
		mustRemove(t, ts.shardFiles(t, i, "rrs")[0])
		mustRemove(t, ts.shardFiles(t, i, "std")[0])
	}
	if _, err := readAll(ts.Set, "rrs"); !errors.Is(err, ErrReadQuorum) {
		t.Errorf("3+1 object with two shards lost: got %v, want ErrReadQuorum", err)
	}
	if got, err := readAll(ts.Set, "std"); err != nil || !bytes.Equal(got, standard) {
		t.Errorf("2+2 object with two shards lost: %d bytes, err %v; want it whole",
			len(got), err)
	}
}

func TestUploadWithParityCodesEveryPart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newHealSet(t, 4, 2)
	up, err := ts.NewUpload(ctx, "bkt", "k", UploadOptions{Parity: 1})
	if err != nil {
		t.Fatalf("NewUpload: %v", err)
	}
	part := randomBytes(DefaultBlockSize+3, 14)
	if _, err := ts.PutPart(ctx, "bkt", up.UploadID, 1, bytes.NewReader(part),
		PutOptions{}); err != nil {
		t.Fatalf("PutPart: %v", err)
	}
	if _, err := ts.CompleteUpload(ctx, "bkt", up.UploadID, CompleteOptions{
		Assemble: func(UploadInfo, []PartInfo) ([]int, map[string]string, error) {
			return []int{1}, nil, nil
		},
	}); err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	m, err := ts.diskMeta(t, 0, "k")
	if err != nil {
		t.Fatalf("meta: %v", err)
	}
	if m.Erasure.Data != 3 || m.Erasure.Parity != 1 {
		t.Errorf("completed object: got %d+%d, want 3+1", m.Erasure.Data, m.Erasure.Parity)
	}
	mustRemoveAll(t, ts.objectPath(1, "k"))
	got, err := readAll(ts.Set, "k")
	if err != nil || !bytes.Equal(got, part) {
		t.Errorf("read with one drive lost: %d bytes, err %v", len(got), err)
	}
}
