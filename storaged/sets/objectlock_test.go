package sets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

func TestObjectLockGoesToTheRightSetUnderItsLock(t *testing.T) {
	t.Parallel()
	sets := []object.Layer{newSet(t), newSet(t)}
	locker := &recordingLocker{deny: map[string]bool{}}
	l, err := New(Config{Sets: sets, Locker: locker})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if err := l.PutBucketVersioning(ctx, "bkt", object.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	key := keyOnSet(t, "bkt", 1, 2)
	info, err := l.PutObject(ctx, "bkt", key, bytes.NewReader([]byte("x")), 1, object.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	locker.reset()

	cfg := object.BucketLockConfig{
		Enabled:     true,
		DefaultMode: object.LockGovernance,
		DefaultDays: 1,
	}
	if err := l.PutBucketObjectLock(ctx, "bkt", cfg); err != nil {
		t.Fatalf("PutBucketObjectLock: %v", err)
	}
	if got := fmt.Sprint(locker.reset()); got != `[r[] w["bkt"]]` {
		t.Errorf("the configuration's locks: got %s, want the bucket held", got)
	}
	for i, s := range []object.Layer{l, sets[0], sets[1]} {
		got, err := s.(object.ObjectLocker).BucketObjectLock(ctx, "bkt")
		want := cfg
		if i == 2 {
			want = object.BucketLockConfig{}
		}
		if err != nil || got != want {
			t.Errorf("layer %d: got %+v, %v; want %+v", i, got, err, want)
		}
	}

	_, err = l.UpdateObjectLock(ctx, "bkt", key, info.VersionID,
		func(object.ObjectInfo) (object.ObjectLock, error) {
			return object.ObjectLock{LegalHold: object.LegalHoldOn}, nil
		})
	if err != nil {
		t.Fatalf("UpdateObjectLock: %v", err)
	}
	got, err := sets[1].(object.Versioned).HeadObjectVersion(ctx, "bkt", key, info.VersionID)
	if err != nil || got.Lock.LegalHold != object.LegalHoldOn {
		t.Errorf("on the key's set: got %+v, %v; want a legal hold", got.Lock, err)
	}

	refused := errors.New("locked")
	_, err = l.DeleteObjectVersionIf(ctx, "bkt", key, info.VersionID,
		func(object.ObjectInfo) error { return refused })
	if !errors.Is(err, refused) {
		t.Errorf("DeleteObjectVersionIf: got %v, want the check's error", err)
	}
	want := fmt.Sprintf(`[r["bkt"] w["bkt/%s"] r["bkt"] w["bkt/%s"]]`, key, key)
	if got := fmt.Sprint(locker.reset()); got != want {
		t.Errorf("the version changes' locks: got %s, want %s", got, want)
	}
	if locker.held != 0 {
		t.Errorf("%d locks still held", locker.held)
	}
}
