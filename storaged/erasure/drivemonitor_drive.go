package erasure

import (
	"context"
	"io"
	"os"
	"sync/atomic"

	"github.com/strata-storage/strata/storaged/drive"
)

// MonitoredDrive is a local drive that a DriveMonitor watches while the
// node runs. It serves every call through its current drive, which the
// monitor replaces: by a freshly formatted drive when the directory was
// wiped or swapped for an empty disk, by an offline drive when the
// directory now holds another drive's format, and by the drive again once
// its own format is back. Its methods are safe for concurrent use.
type MonitoredDrive struct {
	dir string
	id  drive.Identity
	cur atomic.Pointer[driveRef]

	// Owned by the DriveMonitor's checks, under its lock.
	seen  os.FileInfo // the format file last found right
	state driveState
}

// driveRef boxes a Drive for atomic.Pointer.
type driveRef struct{ d Drive }

var _ Drive = (*MonitoredDrive)(nil)

// MonitorDrive returns l as a MonitoredDrive, watched as the drive its
// format names. Build the set over the result so that a DriveMonitor of
// the set finds it.
func MonitorDrive(l *drive.Local) *MonitoredDrive {
	m := &MonitoredDrive{dir: l.String(), id: l.Format().Identity()}
	m.cur.Store(&driveRef{d: l})
	return m
}

// MonitorLocal returns d wrapped with MonitorDrive when it is a
// *drive.Local, and d itself otherwise (an offline drive stays offline).
func MonitorLocal(d Drive) Drive {
	if l, ok := d.(*drive.Local); ok {
		return MonitorDrive(l)
	}
	return d
}

// MonitorLocalDrives returns drives with MonitorLocal applied to each.
func MonitorLocalDrives(drives []Drive) []Drive {
	out := make([]Drive, len(drives))
	for i, d := range drives {
		out[i] = MonitorLocal(d)
	}
	return out
}

// Dir returns the drive's directory.
func (m *MonitoredDrive) Dir() string { return m.dir }

// Identity returns the set and position the drive is watched as.
func (m *MonitoredDrive) Identity() drive.Identity { return m.id }

// current returns the drive that serves calls now.
func (m *MonitoredDrive) current() Drive { return m.cur.Load().d }

// swap makes d serve the drive's calls from now on.
func (m *MonitoredDrive) swap(d Drive) { m.cur.Store(&driveRef{d: d}) }

// String returns the drive's directory, whatever serves it.
func (m *MonitoredDrive) String() string { return m.dir }

// DiskInfo implements Drive.
func (m *MonitoredDrive) DiskInfo(ctx context.Context) (drive.DiskInfo, error) {
	return m.current().DiskInfo(ctx)
}

// MakeVolume implements Drive.
func (m *MonitoredDrive) MakeVolume(ctx context.Context, vol string) error {
	return m.current().MakeVolume(ctx, vol)
}

// StatVolume implements Drive.
func (m *MonitoredDrive) StatVolume(ctx context.Context, vol string) (drive.VolumeInfo, error) {
	return m.current().StatVolume(ctx, vol)
}

// ListVolumes implements Drive.
func (m *MonitoredDrive) ListVolumes(ctx context.Context) ([]drive.VolumeInfo, error) {
	return m.current().ListVolumes(ctx)
}

// DeleteVolume implements Drive.
func (m *MonitoredDrive) DeleteVolume(ctx context.Context, vol string, force bool) error {
	return m.current().DeleteVolume(ctx, vol, force)
}

// CreateFile implements Drive.
func (m *MonitoredDrive) CreateFile(ctx context.Context, vol, p string) (drive.FileWriter, error) {
	return m.current().CreateFile(ctx, vol, p)
}

// WriteFile implements Drive.
func (m *MonitoredDrive) WriteFile(ctx context.Context, vol, p string, data []byte) error {
	return m.current().WriteFile(ctx, vol, p, data)
}

// ReadFile implements Drive.
func (m *MonitoredDrive) ReadFile(ctx context.Context, vol, p string) ([]byte, error) {
	return m.current().ReadFile(ctx, vol, p)
}

// ReadRange implements Drive.
func (m *MonitoredDrive) ReadRange(ctx context.Context, vol, p string,
	offset, length int64) (io.ReadCloser, error) {
	return m.current().ReadRange(ctx, vol, p, offset, length)
}

// Rename implements Drive.
func (m *MonitoredDrive) Rename(ctx context.Context, srcVol, srcPath, dstVol,
	dstPath string) error {
	return m.current().Rename(ctx, srcVol, srcPath, dstVol, dstPath)
}

// Delete implements Drive.
func (m *MonitoredDrive) Delete(ctx context.Context, vol, p string) error {
	return m.current().Delete(ctx, vol, p)
}

// List implements Drive.
func (m *MonitoredDrive) List(ctx context.Context, vol, dir string) ([]string, error) {
	return m.current().List(ctx, vol, dir)
}
