package erasure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// DefaultDriveCheckInterval is the pause between two checks of a
// DriveMonitor when DriveMonitorConfig.Interval is zero.
const DefaultDriveCheckInterval = 5 * time.Second

// healBucketsTimeout bounds putting the buckets back on a drive formatted
// again; the drive heal job retries what did not finish.
const healBucketsTimeout = 30 * time.Second

// DriveEvent is what a DriveMonitor found on a drive and did about it.
type DriveEvent string

// The events of a DriveMonitor.
const (
	// DriveFormatted means the drive's directory had lost its format and
	// was empty (wiped, or a new disk mounted there): it was formatted
	// again as the same set and position, and the set's buckets were put
	// back on it. Its objects still have to be healed onto it.
	DriveFormatted DriveEvent = "formatted"
	// DriveForeign means the directory holds the format of another set or
	// position (another deployment's disk, or disks swapped): it was not
	// touched, and the drive serves as offline until its own format is
	// back.
	DriveForeign DriveEvent = "foreign"
	// DriveUnreadable means the format could not be checked (permission
	// denied, I/O error, a missing directory, an unformatted directory
	// that holds other data): the drive was not touched.
	DriveUnreadable DriveEvent = "unreadable"
	// DriveBack means the drive's own format answers again after one of
	// the events above; a drive that was offline serves again.
	DriveBack DriveEvent = "back"
)

// DriveChange is one change a DriveMonitor found.
type DriveChange struct {
	// Set is the set's index in DriveMonitorConfig.Sets, Position the
	// drive's position in the set.
	Set, Position int
	// Drive is the drive's directory.
	Drive string
	Event DriveEvent
	// Err says what is wrong for DriveForeign and DriveUnreadable; for
	// DriveFormatted it is set when some buckets could not be put back
	// (the drive heal job tries again).
	Err error
}

// driveState is what the last check found on one drive.
type driveState struct {
	event DriveEvent // "" when the drive's own format was found
	err   string
}

// DriveMonitorConfig describes a DriveMonitor.
type DriveMonitorConfig struct {
	// Sets are the sets whose MonitoredDrives are watched; their other
	// drives (other nodes' drives, drives offline since the start) are
	// not.
	Sets []*Set
	// Interval is the pause between two checks of every drive;
	// DefaultDriveCheckInterval when zero.
	Interval time.Duration
	// OnChange, when set, is told about every change, from the monitor's
	// goroutine (or Check's caller). A DriveFormatted drive needs a drive
	// heal job: OnChange is where to queue it.
	OnChange func(DriveChange)
}

// DriveMonitor notices, while a node runs, that one of its local drives
// lost its format or now holds another drive, and acts as the node did at
// start: it formats an empty drive again with the identity the set
// expects, and takes a foreign one offline. Each check costs one stat of
// each drive's format file while nothing changes. Its methods are safe for
// concurrent use.
type DriveMonitor struct {
	cfg     DriveMonitorConfig
	watched []watchedDrive

	mu sync.Mutex // serialises checks

	runMu  sync.Mutex // guards cancel and closed
	cancel context.CancelFunc
	closed bool
	wg     sync.WaitGroup
}

// watchedDrive is one MonitoredDrive and where it sits.
type watchedDrive struct {
	set, pos int
	d        *MonitoredDrive
}

// NewDriveMonitor checks cfg and returns a monitor that does nothing until
// Start.
func NewDriveMonitor(cfg DriveMonitorConfig) (*DriveMonitor, error) {
	if cfg.Interval < 0 {
		return nil, fmt.Errorf("erasure: drive monitor: interval %s is negative", cfg.Interval)
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultDriveCheckInterval
	}
	m := &DriveMonitor{cfg: cfg}
	for i, s := range cfg.Sets {
		if s == nil {
			return nil, fmt.Errorf("erasure: drive monitor: set %d is nil", i)
		}
		for j, d := range s.drives {
			if md, ok := d.(*MonitoredDrive); ok {
				m.watched = append(m.watched, watchedDrive{set: i, pos: j, d: md})
			}
		}
	}
	return m, nil
}

// Watched returns how many drives the monitor watches.
func (m *DriveMonitor) Watched() int { return len(m.watched) }

// Start checks every drive each interval until Close. Calling it again,
// or after Close, does nothing.
func (m *DriveMonitor) Start() {
	m.runMu.Lock()
	defer m.runMu.Unlock()
	if m.cancel != nil || m.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.wg.Go(func() { m.loop(ctx) })
}

// Close stops the checks and waits for the one running.
func (m *DriveMonitor) Close() error {
	m.runMu.Lock()
	cancel := m.cancel
	m.closed = true
	m.runMu.Unlock()
	if cancel != nil {
		cancel()
	}
	m.wg.Wait()
	return nil
}

// loop runs Check every interval until ctx ends.
func (m *DriveMonitor) loop(ctx context.Context) {
	t := time.NewTicker(m.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.Check(ctx)
		}
	}
}

// Check checks every watched drive once, acts on what it finds, tells
// OnChange and returns the changes.
func (m *DriveMonitor) Check(ctx context.Context) []DriveChange {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []DriveChange
	for _, w := range m.watched {
		c, changed := m.checkDrive(ctx, w)
		if !changed {
			continue
		}
		c.Set, c.Position, c.Drive = w.set, w.pos, w.d.dir
		out = append(out, c)
		if m.cfg.OnChange != nil {
			m.cfg.OnChange(c)
		}
	}
	return out
}

// checkDrive checks one drive and reports whether its state changed.
func (m *DriveMonitor) checkDrive(ctx context.Context, w watchedDrive) (DriveChange, bool) {
	d := w.d
	fi, err := os.Stat(drive.FormatPath(d.dir))
	switch {
	case err == nil && d.state.event == "" && sameFile(fi, d.seen):
		return DriveChange{}, false
	case err == nil:
		return d.verify(fi)
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return m.reformat(ctx, w)
	default:
		return d.settle(DriveUnreadable, fmt.Errorf("checking the format of drive %s: %w; "+
			"the drive is left as it is", d.dir, err))
	}
}

// sameFile reports whether fi is the file seen, unchanged.
func sameFile(fi, seen os.FileInfo) bool {
	return seen != nil && os.SameFile(fi, seen) && fi.Size() == seen.Size() &&
		fi.ModTime().Equal(seen.ModTime())
}

// verify reads a format file that changed, or that was wrong last time,
// and takes the drive offline or back online according to what it names.
func (d *MonitoredDrive) verify(fi os.FileInfo) (DriveChange, bool) {
	f, err := drive.ReadFormat(d.dir)
	if err != nil {
		return d.settle(DriveUnreadable, fmt.Errorf("%w; the drive is left as it is", err))
	}
	if f.Identity() != d.id {
		err := foreignError(f.Identity(), d.id)
		d.swap(OfflineDrive(d.dir, err))
		return d.settle(DriveForeign, err)
	}
	if IsOffline(d.current()) {
		l, err := drive.Open(d.dir, d.id)
		if err != nil {
			return d.settle(DriveUnreadable, fmt.Errorf("reopening drive %s: %w", d.dir, err))
		}
		d.swap(l)
	}
	d.seen = fi
	return d.settle("", nil)
}

// foreignError says that a drive holds got instead of want.
func foreignError(got, want drive.Identity) error {
	return fmt.Errorf("%w: it now holds drive %d of set %q, but this node has it as drive "+
		"%d of set %q; put the right disk back, or empty the directory to have it formatted "+
		"and healed", drive.ErrFormatMismatch, got.Index, got.SetID, want.Index, want.SetID)
}

// reformat formats again a drive whose format file is gone, when its
// directory is there and empty, and puts the set's buckets back on it.
func (m *DriveMonitor) reformat(ctx context.Context, w watchedDrive) (DriveChange, bool) {
	d := w.d
	st, err := os.Stat(d.dir)
	switch {
	case err != nil:
		return d.settle(DriveUnreadable, fmt.Errorf("drive %s has no format: %w; it is "+
			"formatted again once its directory is back and empty", d.dir, err))
	case !st.IsDir():
		return d.settle(DriveUnreadable, fmt.Errorf("drive %s is not a directory", d.dir))
	}
	l, err := drive.Open(d.dir, d.id)
	if err != nil {
		return d.settle(DriveUnreadable, fmt.Errorf("formatting drive %s again: %w", d.dir,
			err))
	}
	d.swap(l)
	d.seen, _ = os.Stat(drive.FormatPath(d.dir))
	d.state = driveState{}
	ctx, cancel := context.WithTimeout(ctx, healBucketsTimeout)
	defer cancel()
	_, err = m.cfg.Sets[w.set].HealBuckets(ctx)
	return DriveChange{Event: DriveFormatted, Err: err}, true
}

// settle records what a check found and reports whether it differs from
// the last check. Finding the drive's own format after a problem is
// DriveBack.
func (d *MonitoredDrive) settle(event DriveEvent, err error) (DriveChange, bool) {
	next := driveState{event: event}
	if err != nil {
		next.err = err.Error()
	}
	prev := d.state
	d.state = next
	if prev == next {
		return DriveChange{}, false
	}
	if event == "" {
		return DriveChange{Event: DriveBack}, true
	}
	return DriveChange{Event: event, Err: err}, true
}
