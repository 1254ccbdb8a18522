package object

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// lockedLayer returns a test layer whose bucket "bkt" keeps versions, and
// two versions of "k": the older first.
func lockedLayer(t *testing.T) (*testLayer, ObjectInfo, ObjectInfo) {
	t.Helper()
	l := newLayerWithBucket(t)
	if err := l.PutBucketVersioning(t.Context(), "bkt", VersioningEnabled); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	until := time.Date(2031, time.March, 4, 5, 6, 7, 800_000_000, time.UTC)
	older, err := l.PutObject(t.Context(), "bkt", "k", strings.NewReader("one"), 3, PutOptions{
		Metadata: Metadata{Lock: ObjectLock{Mode: LockCompliance, RetainUntil: until}}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	return l, older, l.put(t, "k", "two")
}

func TestObjectLockIsStoredPerVersion(t *testing.T) {
	t.Parallel()
	l, older, newer := lockedLayer(t)
	want := ObjectLock{Mode: LockCompliance,
		RetainUntil: time.Date(2031, time.March, 4, 5, 6, 7, 800_000_000, time.UTC)}

	got, err := l.HeadObjectVersion(t.Context(), "bkt", "k", older.VersionID)
	if err != nil {
		t.Fatalf("HeadObjectVersion: %v", err)
	}
	if !got.Lock.RetainUntil.Equal(want.RetainUntil) || got.Lock.Mode != want.Mode {
		t.Errorf("the older version's lock: got %+v, want %+v", got.Lock, want)
	}
	cur, err := l.HeadObject(t.Context(), "bkt", "k")
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if cur.VersionID != newer.VersionID || cur.Lock != (ObjectLock{}) {
		t.Errorf("the current version: got %s with lock %+v, want %s without one",
			cur.VersionID, cur.Lock, newer.VersionID)
	}
}

func TestUpdateObjectLockChangesOnlyTheNamedVersion(t *testing.T) {
	t.Parallel()
	l, older, newer := lockedLayer(t)
	info, err := l.UpdateObjectLock(t.Context(), "bkt", "k", newer.VersionID,
		func(cur ObjectInfo) (ObjectLock, error) {
			lock := cur.Lock
			lock.LegalHold = LegalHoldOn
			return lock, nil
		})
	if err != nil {
		t.Fatalf("UpdateObjectLock: %v", err)
	}
	if info.Lock.LegalHold != LegalHoldOn || info.ETag != newer.ETag ||
		!info.ModTime.Equal(newer.ModTime) {
		t.Errorf("updated version: got hold %q, ETag %s, time %v; want ON, %s, %v",
			info.Lock.LegalHold, info.ETag, info.ModTime, newer.ETag, newer.ModTime)
	}
	old, err := l.HeadObjectVersion(t.Context(), "bkt", "k", older.VersionID)
	if err != nil {
		t.Fatalf("HeadObjectVersion: %v", err)
	}
	if old.Lock.LegalHold != "" || old.Lock.Mode != LockCompliance {
		t.Errorf("the older version: got %+v, want its retention and no legal hold", old.Lock)
	}
}

func TestUpdateObjectLockKeepsTheVersionWhenChangeRefuses(t *testing.T) {
	t.Parallel()
	l, older, _ := lockedLayer(t)
	refused := errors.New("refused")
	_, err := l.UpdateObjectLock(t.Context(), "bkt", "k", older.VersionID,
		func(ObjectInfo) (ObjectLock, error) { return ObjectLock{}, refused })
	if !errors.Is(err, refused) {
		t.Fatalf("UpdateObjectLock: got %v, want the change's error", err)
	}
	got, err := l.HeadObjectVersion(t.Context(), "bkt", "k", older.VersionID)
	if err != nil || got.Lock.Mode != LockCompliance {
		t.Errorf("after a refused change: got %+v, %v; want the retention kept", got.Lock, err)
	}
}

func TestUpdateObjectLockOfADeleteMarkerFails(t *testing.T) {
	t.Parallel()
	l, _, _ := lockedLayer(t)
	res, err := l.DeleteObjectVersion(t.Context(), "bkt", "k", "")
	if err != nil || !res.DeleteMarker {
		t.Fatalf("DeleteObjectVersion: got %+v, %v; want a delete marker", res, err)
	}
	_, err = l.UpdateObjectLock(t.Context(), "bkt", "k", res.VersionID,
		func(ObjectInfo) (ObjectLock, error) { return ObjectLock{LegalHold: LegalHoldOn}, nil })
	if !errors.As(err, new(*DeleteMarkerError)) {
		t.Errorf("got %v, want a *DeleteMarkerError", err)
	}
}

func TestDeleteObjectVersionIf(t *testing.T) {
	t.Parallel()
	refused := errors.New("locked")
	tests := []struct {
		name    string
		version func(older ObjectInfo) string
		check   error
		want    error
		checked bool
	}{
		{"a version the check refuses is kept", func(o ObjectInfo) string { return o.VersionID },
			refused, refused, true},
		{"a version the check allows is removed", func(o ObjectInfo) string { return o.VersionID },
			nil, nil, true},
		{"a missing version is deleted without a check",
			func(ObjectInfo) string { return "AAAAAAAAAAAAAAAAAAAAAAAAAA" }, refused, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, older, _ := lockedLayer(t)
			checked := false
			_, err := l.DeleteObjectVersionIf(t.Context(), "bkt", "k", tt.version(older),
				func(ObjectInfo) error { checked = true; return tt.check })
			if !errors.Is(err, tt.want) || checked != tt.checked {
				t.Fatalf("got %v (checked %v), want %v (checked %v)", err, checked, tt.want,
					tt.checked)
			}
			_, err = l.HeadObjectVersion(t.Context(), "bkt", "k", older.VersionID)
			if kept := err == nil; kept != (tt.want != nil || !tt.checked) {
				t.Errorf("older version kept: got %v, want %v", kept, !kept)
			}
		})
	}
}

func TestBucketObjectLockRoundTrips(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	got, err := l.BucketObjectLock(ctx, "bkt")
	if err != nil || got != (BucketLockConfig{}) {
		t.Fatalf("a new bucket: got %+v, %v; want the zero configuration", got, err)
	}
	want := BucketLockConfig{Enabled: true, DefaultMode: LockGovernance, DefaultYears: 2}
	if err := l.PutBucketObjectLock(ctx, "bkt", want); err != nil {
		t.Fatalf("PutBucketObjectLock: %v", err)
	}
	if got, err = l.BucketObjectLock(ctx, "bkt"); err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	if err := l.PutBucketObjectLock(ctx, "nope", want); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("a missing bucket: got %v, want ErrBucketNotFound", err)
	}
}

func TestDefaultRetainUntil(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, time.February, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		cfg    BucketLockConfig
		want   time.Time
		wantOK bool
	}{
		{"no default gives nothing", BucketLockConfig{Enabled: true}, time.Time{}, false},
		{"days count from the write", BucketLockConfig{Enabled: true,
			DefaultMode: LockGovernance, DefaultDays: 2}, at.AddDate(0, 0, 2), true},
		{"years count from the write", BucketLockConfig{Enabled: true,
			DefaultMode: LockCompliance, DefaultYears: 1}, at.AddDate(1, 0, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.cfg.DefaultRetainUntil(at)
			if !got.Equal(tt.want) || ok != tt.wantOK {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestLoadLockKeepsADamagedDateProtective(t *testing.T) {
	t.Parallel()
	lock := loadLock(map[string]string{metaLockMode: LockCompliance, metaLockRetainUntil: "x"})
	if !lock.Retained(time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("got %+v, want a retention that still holds", lock)
	}
}

func TestAMultipartUploadCarriesItsLockToTheObject(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	lock := ObjectLock{Mode: LockGovernance,
		RetainUntil: time.Date(
			2030,
			time.April,
			25,
			14,
			0,
			0,
			0,
			time.UTC,
		), LegalHold: LegalHoldOff}
	up := l.upload(t, "k", UploadOptions{Metadata: Metadata{Lock: lock}})
	p := l.part(t, up, 1, []byte("abc"))
	info, err := l.CompleteMultipartUpload(t.Context(), "bkt", "k", up.UploadID,
		[]CompletePart{{1, p.ETag, nil}}, CompleteOptions{})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if info.Lock.Mode != lock.Mode || !info.Lock.RetainUntil.Equal(lock.RetainUntil) ||
		info.Lock.LegalHold != lock.LegalHold {
		t.Errorf("got %+v, want %+v", info.Lock, lock)
	}
}
