package drive

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// ErrWriterDone means Write, Commit or Abort was called on a FileWriter
// that was already committed or aborted.
var ErrWriterDone = errors.New("drive: file writer already committed or aborted")

// FileWriter streams a new file. Nothing is visible at the file's path until
// Commit returns nil. A FileWriter is used by one goroutine at a time.
type FileWriter interface {
	// Write appends p to the file. The writer does not keep p.
	Write(p []byte) (int, error)
	// Commit makes the written bytes durable and then visible at the path
	// given to CreateFile, replacing any file there, in one rename. After
	// Commit the writer is done, whatever Commit returned; a failed Commit
	// leaves nothing behind.
	Commit() error
	// Abort discards the written bytes. It is idempotent and a no-op after
	// Commit, so it is safe to defer.
	Abort() error
}

// CreateFile starts a new file at p inside vol. The bytes go to a temporary
// file until Commit. The volume must exist.
func (l *Local) CreateFile(ctx context.Context, vol, p string) (FileWriter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	base, full, err := l.target(vol, p)
	if err != nil {
		return nil, err
	}
	f, err := l.createTemp()
	if err != nil {
		return nil, fmt.Errorf("creating %s/%s: %w", vol, p, err)
	}
	return &fileWriter{l: l, vol: vol, f: f, base: base, dst: full}, nil
}

// fileWriter is the FileWriter of a Local drive.
type fileWriter struct {
	l    *Local
	vol  string
	f    *os.File
	base string
	dst  string
	done bool
}

var _ FileWriter = (*fileWriter)(nil)

func (w *fileWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, ErrWriterDone
	}
	n, err := w.f.Write(p)
	if err != nil {
		return n, fmt.Errorf("writing %s: %w", w.f.Name(), err)
	}
	return n, nil
}

func (w *fileWriter) Commit() error {
	if w.done {
		return ErrWriterDone
	}
	w.done = true
	if err := w.l.place(w.f, w.base, w.dst); err != nil {
		return fmt.Errorf("committing %s: %w", w.dst, w.l.classify(w.vol, err))
	}
	return nil
}

func (w *fileWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	discard(w.f)
	return nil
}
