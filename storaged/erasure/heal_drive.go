package erasure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// JobState is the state of a drive heal job.
type JobState string

// The states of a drive heal job.
const (
	// JobQueued waits for the jobs before it.
	JobQueued JobState = "queued"
	// JobRunning heals, or waits to retry what failed.
	JobRunning JobState = "running"
	// JobDone healed every object onto the drive.
	JobDone JobState = "done"
	// JobFailed finished with objects it could not heal; Failures lists
	// them.
	JobFailed JobState = "failed"
)

// DriveHealProgress is the progress of one drive heal job.
type DriveHealProgress struct {
	Drive    string   `json:"drive"`
	Position int      `json:"position"`
	State    JobState `json:"state"`
	// Done counts the objects checked of Total, the objects the set held
	// when the job (or its last resumption) started; Healed those where
	// something was written.
	Done   int64 `json:"done"`
	Total  int64 `json:"total"`
	Healed int64 `json:"healed"`
	// Failures are the objects the job could not heal onto the drive.
	Failures []HealFailure `json:"failures,omitempty"`
	// Error is why the job waits to retry, when it does.
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
}

// HealCheckpoint is how far a drive heal job got: it resumes after the
// last object directory done.
type HealCheckpoint struct {
	// Bucket and Dir name the last object directory done.
	Bucket string `json:"bucket"`
	Dir    string `json:"dir"`
	// Failed are the objects that failed so far, to retry.
	Failed []HealFailure `json:"failed,omitempty"`
	// Done is true once the job finished.
	Done bool `json:"done"`
}

// Checkpoint stores a drive heal job's checkpoint, on the drive it heals.
type Checkpoint interface {
	// Load returns the saved checkpoint; false when none was saved.
	Load() (HealCheckpoint, bool, error)
	// Save replaces the saved checkpoint durably.
	Save(HealCheckpoint) error
}

// FileCheckpoint returns a Checkpoint kept as JSON in the file at path,
// replaced by writing a temporary file, syncing it and renaming it.
func FileCheckpoint(path string) Checkpoint { return fileCheckpoint(path) }

type fileCheckpoint string

func (f fileCheckpoint) Load() (HealCheckpoint, bool, error) {
	var cp HealCheckpoint
	b, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("erasure: reading heal checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return cp, false, fmt.Errorf("erasure: decoding heal checkpoint %s: %w", f, err)
	}
	return cp, true, nil
}

func (f fileCheckpoint) Save(cp HealCheckpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("erasure: encoding heal checkpoint: %w", err)
	}
	if err := writeFileSynced(string(f), b); err != nil {
		return fmt.Errorf("erasure: saving heal checkpoint: %w", err)
	}
	return nil
}

// writeFileSynced replaces the file at p with data: a temporary file,
// synced, renamed over p, and the directory synced.
func writeFileSynced(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".heal-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(p))
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// driveJob is one drive heal job.
type driveJob struct {
	pos int
	cp  Checkpoint

	mu sync.Mutex
	p  DriveHealProgress
}

// progress returns a copy of the job's progress.
func (j *driveJob) progress() DriveHealProgress {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.p
	p.Failures = append([]HealFailure(nil), j.p.Failures...)
	return p
}

// update changes the job's progress under its lock.
func (j *driveJob) update(fn func(p *DriveHealProgress)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(&j.p)
}

// HealDrive queues a job that heals every bucket and object of the set
// onto drive pos, as after the drive was replaced by an empty one. The
// job saves its progress in cp and resumes from it; a checkpoint that
// says done makes the job end at once. Jobs run one at a time once Start
// was called.
func (h *Healer) HealDrive(pos int, cp Checkpoint) error {
	if pos < 0 || pos >= len(h.set.drives) {
		return fmt.Errorf("erasure: healing drive %d of a set of %d", pos, len(h.set.drives))
	}
	j := &driveJob{pos: pos, cp: cp, p: DriveHealProgress{Drive: h.set.drives[pos].String(),
		Position: pos, State: JobQueued}}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrHealerClosed
	}
	select {
	case h.jobs <- j:
	default:
		return fmt.Errorf("erasure: healing drive %d: too many jobs queued", pos)
	}
	h.driveJob = append(h.driveJob, j)
	return nil
}

// runJobs runs the queued drive heal jobs one at a time.
func (h *Healer) runJobs() {
	for {
		select {
		case <-h.ctx.Done():
			return
		case j := <-h.jobs:
			h.runJob(h.ctx, j)
		}
	}
}

// runJob runs one drive heal job to its end, or until ctx ends.
func (h *Healer) runJob(ctx context.Context, j *driveJob) {
	j.update(func(p *DriveHealProgress) { p.State, p.Started = JobRunning, time.Now().UTC() })
	cp, err := h.pass(ctx, j)
	for err != nil {
		j.update(func(p *DriveHealProgress) { p.Error = err.Error() })
		if !sleepCtx(ctx, h.cfg.RetryDelay) {
			return
		}
		cp, err = h.pass(ctx, j)
	}
	j.update(func(p *DriveHealProgress) { p.Error = "" })
	failed := h.retryFailed(ctx, j, cp.Failed)
	if ctx.Err() != nil {
		return
	}
	h.finishJob(j, cp, failed)
}

// finishJob records the end of a job, in its progress and checkpoint.
func (h *Healer) finishJob(j *driveJob, cp HealCheckpoint, failed []HealFailure) {
	cp.Failed, cp.Done = failed, true
	saveErr := j.cp.Save(cp)
	j.update(func(p *DriveHealProgress) {
		p.Failures, p.Finished, p.State = failed, time.Now().UTC(), JobDone
		if len(failed) > 0 {
			p.State = JobFailed
		}
		if saveErr != nil {
			p.Error = saveErr.Error()
		}
	})
}

// sleepCtx waits d and reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// pass heals every object after the checkpoint onto the job's drive and
// returns the checkpoint at its end. It fails when the buckets or a
// bucket's objects cannot be listed; the job retries it then.
func (h *Healer) pass(ctx context.Context, j *driveJob) (HealCheckpoint, error) {
	cp, _, err := j.cp.Load()
	if err != nil || cp.Done {
		return cp, err
	}
	// A drive of the set other than the job's that is down makes
	// HealBuckets fail too; only a missing quorum stops the pass.
	if _, err := h.set.HealBuckets(ctx); errors.Is(err, ErrReadQuorum) {
		return cp, err
	}
	buckets, err := h.set.bucketNames(ctx)
	if err != nil {
		return cp, err
	}
	todo, err := h.listAfter(ctx, buckets, cp, j)
	if err != nil {
		return cp, err
	}
	return h.healList(ctx, j, cp, todo)
}

// objectRef is one object directory in a bucket.
type objectRef struct{ bucket, dir string }

// listAfter lists the object directories of the buckets, sets the job's
// totals and returns the directories after the checkpoint.
func (h *Healer) listAfter(ctx context.Context, buckets []string, cp HealCheckpoint,
	j *driveJob) ([]objectRef, error) {
	var todo []objectRef
	var total, done int64
	for _, b := range buckets {
		dirs, err := h.set.objectDirs(ctx, b)
		if errors.Is(err, ErrBucketNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, d := range dirs {
			total++
			if b < cp.Bucket || b == cp.Bucket && d <= cp.Dir {
				done++
				continue
			}
			todo = append(todo, objectRef{bucket: b, dir: d})
		}
	}
	j.update(func(p *DriveHealProgress) { p.Total, p.Done = total, done })
	return todo, nil
}

// healList heals each directory of todo in order, saving the checkpoint
// every CheckpointEvery objects and at the end.
func (h *Healer) healList(ctx context.Context, j *driveJob, cp HealCheckpoint,
	todo []objectRef) (HealCheckpoint, error) {
	for n, ref := range todo {
		if ctx.Err() != nil {
			return cp, ctx.Err()
		}
		if f, ok := h.healOnto(ctx, j, ref); !ok {
			cp.Failed = appendFailure(cp.Failed, f)
		}
		cp.Bucket, cp.Dir = ref.bucket, ref.dir
		j.update(func(p *DriveHealProgress) { p.Done++; p.Failures = cp.Failed })
		if (n+1)%h.cfg.CheckpointEvery == 0 {
			if err := j.cp.Save(cp); err != nil {
				return cp, err
			}
		}
	}
	return cp, j.cp.Save(cp)
}

// appendFailure adds f to a bounded list of failures.
func appendFailure(list []HealFailure, f HealFailure) []HealFailure {
	if len(list) >= maxFailures {
		return list
	}
	return append(list, f)
}

// healOnto heals one object directory and reports whether the job's
// drive holds it whole now; when not, why.
func (h *Healer) healOnto(ctx context.Context, j *driveJob, ref objectRef) (HealFailure, bool) {
	key, ok := h.set.keyOf(ctx, ref.bucket, ref.dir)
	if !ok {
		return HealFailure{}, true // leftovers of a failed write: nothing to heal
	}
	return h.healKeyOnto(ctx, j, ref.bucket, key)
}

// healKeyOnto heals one key and reports whether the job's drive holds it
// whole now.
func (h *Healer) healKeyOnto(ctx context.Context, j *driveJob, bucket,
	key string) (HealFailure, bool) {
	res, err := h.Heal(ctx, bucket, key)
	if err == nil {
		err = res.DriveErr(j.pos)
	}
	if res.Healed() {
		j.update(func(p *DriveHealProgress) { p.Healed++ })
	}
	if err != nil {
		return HealFailure{Bucket: bucket, Key: key, Error: err.Error()}, false
	}
	return HealFailure{}, true
}

// retryFailed heals the failed objects again, up to JobRetries times,
// and returns those that still fail.
func (h *Healer) retryFailed(ctx context.Context, j *driveJob,
	failed []HealFailure) []HealFailure {
	for range max(h.cfg.JobRetries, 0) {
		if len(failed) == 0 || !sleepCtx(ctx, h.cfg.RetryDelay) {
			break
		}
		var still []HealFailure
		for _, f := range failed {
			if nf, ok := h.healKeyOnto(ctx, j, f.Bucket, f.Key); !ok {
				still = append(still, nf)
			}
		}
		failed = still
		j.update(func(p *DriveHealProgress) { p.Failures = failed })
	}
	return failed
}
