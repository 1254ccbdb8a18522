package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// plainFiles is the baseline of the S3 figures: the same objects kept as
// plain files in one folder, as a program without S3, TLS or erasure
// coding would keep them. Writes are durable the usual way: write to a
// temporary name, fsync, rename.
type plainFiles struct {
	dir string
}

// write stores every object of w, w.conc at a time.
func (p plainFiles) write(ctx context.Context, w workload) error {
	return forEach(ctx, w.count, w.conc, func(_ context.Context, i int) error {
		return writeDurably(p.dir, objectName(i), w.payload(i))
	})
}

// read reads every object of w back, w.conc at a time, and checks its
// bytes.
func (p plainFiles) read(ctx context.Context, w workload) error {
	return forEach(ctx, w.count, w.conc, func(_ context.Context, i int) error {
		return readAndCheck(filepath.Join(p.dir, objectName(i)), w.payload(i))
	})
}

// objectName names object i of a run, for files and keys alike.
func objectName(i int) string { return fmt.Sprintf("obj-%06d", i) }

// writeDurably writes data to dir/name through a temporary file that is
// synced and then renamed into place.
func writeDurably(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("creating a baseline file: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		return fmt.Errorf("writing baseline file %s: %w", name, err)
	}
	return nil
}

// readAndCheck reads the file at path and checks that it holds want.
func readAndCheck(path string, want []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening a baseline file: %w", err)
	}
	defer f.Close()
	m := &matcher{want: want}
	if _, err := io.Copy(m, f); err != nil {
		return fmt.Errorf("reading baseline file %s: %w", path, err)
	}
	if err := m.done(); err != nil {
		return fmt.Errorf("reading baseline file %s: %w", path, err)
	}
	return nil
}
