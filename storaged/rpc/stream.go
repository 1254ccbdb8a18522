package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// errAborted breaks off an upload whose writer was aborted.
var errAborted = errors.New("rpc: upload aborted")

// errStalled marks a stream that made no progress for the stall timeout.
var errStalled = errors.New("rpc: stream stalled")

// stall cancels a stream whose Read or Write makes no progress for its
// timeout, with errStalled as the cause. Between calls the stream may idle
// as long as its user likes.
type stall struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timeout time.Duration
	timer   *time.Timer
}

// newStall returns a stall guard whose context ends with parent's, or when
// a guarded call stalls, or on stop.
func newStall(parent context.Context, timeout time.Duration) *stall {
	s := &stall{timeout: timeout}
	s.ctx, s.cancel = context.WithCancelCause(parent)
	s.timer = time.AfterFunc(time.Hour, s.fire)
	s.timer.Stop()
	return s
}

func (s *stall) arm()    { s.timer.Reset(s.timeout) }
func (s *stall) disarm() { s.timer.Stop() }

// fire ends the stream as stalled.
func (s *stall) fire() {
	s.cancel(fmt.Errorf("%w: no progress for %s", errStalled, s.timeout))
}

// stop ends the stream's context.
func (s *stall) stop() {
	s.timer.Stop()
	s.cancel(nil)
}

// err explains a failure that the guard caused, or returns err.
func (s *stall) err(err error) error {
	return withStall(s.ctx, err)
}

// withStall adds the stall to err when ctx ended because its stream
// stalled, so that the peer is marked down.
func withStall(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, errStalled) && !errors.Is(err, errStalled) {
		return fmt.Errorf("%w: %w", cause, err)
	}
	return err
}

// rangeReader is the body of a ReadRange.
type rangeReader struct {
	d     *RemoteDrive
	ctx   context.Context // the caller's
	where string
	body  io.ReadCloser
	stall *stall
}

// Read reads the stream. A body cut short by the peer (which does so when
// its own read fails) is io.ErrUnexpectedEOF; a broken or stalled
// connection also marks the peer down.
func (r *rangeReader) Read(p []byte) (int, error) {
	r.stall.arm()
	n, err := r.body.Read(p)
	r.stall.disarm()
	switch {
	case err == nil || err == io.EOF:
		return n, err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return n, fmt.Errorf("%s: stream cut short: %w", r.where, err)
	}
	return n, r.d.p.callFailed(r.ctx, false, r.where, r.stall.err(err))
}

// Close ends the stream.
func (r *rangeReader) Close() error {
	err := r.body.Close()
	r.stall.stop()
	return err
}

// uploadWriter is the FileWriter of a RemoteDrive: a request whose body is
// the file, streamed through a pipe. The peer commits the file only when
// the body ends with the commit trailer, which only Commit sends.
type uploadWriter struct {
	d     *RemoteDrive
	ctx   context.Context // the caller's, ended by Abort too
	abort context.CancelFunc
	where string
	req   *http.Request
	pw    *io.PipeWriter
	stall *stall
	n     int64
	over  bool // committed or aborted

	ready     chan struct{} // closed when the peer asks for the body
	readyOnce sync.Once
	done      chan struct{} // closed when the exchange is over
	err       error         // the exchange's outcome, set before done
}

var _ drive.FileWriter = (*uploadWriter)(nil)

// startUpload sends the request of a CreateFile and waits until the peer
// has created the file and asks for its bytes (100 Continue), so that a
// missing volume or an offline drive fails here, as it does locally.
func (d *RemoteDrive) startUpload(ctx context.Context, q url.Values,
	where string) (*uploadWriter, error) {
	probe, err := d.p.health.admit()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	w, err := d.newUpload(ctx, q, where)
	if err != nil {
		d.p.health.abandoned(probe)
		return nil, err
	}
	go w.run(probe)

	timeout := time.NewTimer(d.p.cfg.CallTimeout)
	defer timeout.Stop()
	select {
	case <-w.ready:
		return w, nil
	case <-w.done:
	case <-timeout.C:
		w.stall.fire()
		<-w.done
	}
	w.stall.stop()
	w.abort()
	if w.err == nil {
		w.err = fmt.Errorf("%s: the peer answered before the upload", where)
	}
	return nil, w.err
}

// newUpload builds the writer and its request.
func (d *RemoteDrive) newUpload(ctx context.Context, q url.Values,
	where string) (*uploadWriter, error) {
	pr, pw := io.Pipe()
	w := &uploadWriter{
		d: d, where: where, pw: pw,
		ready: make(chan struct{}),
		done:  make(chan struct{}),
	}
	// An abort is the caller's decision, a stall the peer's failure: the
	// first ends ctx, the second only the stall's context below it.
	w.ctx, w.abort = context.WithCancel(ctx)
	w.stall = newStall(w.ctx, d.p.cfg.StallTimeout)
	trace := &httptrace.ClientTrace{Got100Continue: func() {
		w.readyOnce.Do(func() { close(w.ready) })
	}}
	req, err := d.p.newRequest(httptrace.WithClientTrace(w.stall.ctx, trace),
		http.MethodPut, opCreate, q, pr)
	if err != nil {
		w.stall.stop()
		w.abort()
		return nil, err
	}
	req.ContentLength = -1
	req.Header.Set("Expect", "100-continue")
	// The value is filled in place by Commit; the transport reads it only
	// after the body ended.
	req.Trailer = http.Header{commitTrailer: {""}}
	w.req = req
	return w, nil
}

// run performs the exchange and records its outcome. It closes the pipe so
// that a Write blocked on a peer that answered (or vanished) returns.
func (w *uploadWriter) run(probe bool) {
	resp, err := w.d.p.exchange(w.ctx, w.req, w.where, probe)
	if err == nil {
		resp.Body.Close()
	} else {
		err = w.stall.err(err)
	}
	w.err = err
	pipeErr := err
	if pipeErr == nil {
		pipeErr = io.ErrClosedPipe
	}
	w.pw.CloseWithError(pipeErr)
	close(w.done)
}

// Write streams p to the peer. It blocks while the peer is slow to take
// the bytes, up to the stall timeout.
func (w *uploadWriter) Write(p []byte) (int, error) {
	if w.over {
		return 0, drive.ErrWriterDone
	}
	w.stall.arm()
	n, err := w.pw.Write(p)
	w.stall.disarm()
	w.n += int64(n)
	if err != nil {
		return n, w.failure()
	}
	return n, nil
}

// failure waits for the exchange to end and returns why the stream broke.
func (w *uploadWriter) failure() error {
	<-w.done
	if w.err != nil {
		return w.err
	}
	return fmt.Errorf("%w: %s: the peer ended the upload early", drive.ErrDriveOffline, w.where)
}

// Commit ends the stream with the commit trailer and waits for the peer to
// make the file durable and visible.
func (w *uploadWriter) Commit() error {
	if w.over {
		return drive.ErrWriterDone
	}
	w.over = true
	w.req.Trailer[commitTrailer][0] = strconv.FormatInt(w.n, 10)
	_ = w.pw.Close()
	<-w.done
	w.stall.stop()
	w.abort()
	return w.err
}

// Abort breaks the stream off, so the peer discards what it received. It
// is idempotent and a no-op after Commit.
func (w *uploadWriter) Abort() error {
	if w.over {
		return nil
	}
	w.over = true
	w.abort()
	w.pw.CloseWithError(errAborted)
	<-w.done
	w.stall.stop()
	return nil
}
