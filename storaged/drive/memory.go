package drive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"
)

// Memory is a drive that keeps its volumes and files in memory, for
// benchmarks and tests that must measure or exercise the storage path
// without a file system. Nothing it holds survives the process, so it must
// never back real data. It follows Local's contract for every operation a
// caller can see, with one difference: a directory exists exactly as long
// as it holds a file, so emptying a directory removes it. Its methods are
// safe for concurrent use.
type Memory struct {
	name  string
	total uint64

	mu      sync.Mutex
	volumes map[string]*memVolume
	used    uint64
}

// memVolume is one volume: its creation time and its files by path.
type memVolume struct {
	created time.Time
	files   map[string]*memFile
}

// memFile is a file's bytes as the chunks it was written in, so that
// streaming a file in costs one copy of each write and no regrowing. A
// stored file is never changed, only replaced, so readers may share it.
type memFile struct {
	chunks [][]byte
	size   int64
}

// bytes returns the file's content as one new slice.
func (f *memFile) bytes() []byte {
	b := make([]byte, 0, f.size)
	for _, c := range f.chunks {
		b = append(b, c...)
	}
	return b
}

// section returns a reader over length bytes from offset, which lie inside
// the file.
func (f *memFile) section(offset, length int64) io.Reader {
	var parts []io.Reader
	for _, c := range f.chunks {
		n := int64(len(c))
		if offset >= n {
			offset -= n
			continue
		}
		take := min(n-offset, length)
		parts = append(parts, bytes.NewReader(c[offset:offset+take]))
		offset, length = 0, length-take
		if length == 0 {
			break
		}
	}
	return io.MultiReader(parts...)
}

// NewMemory returns an empty drive called name that reports total bytes of
// capacity in DiskInfo. It holds StagingVolume from the start, as Local does.
func NewMemory(name string, total uint64) *Memory {
	m := &Memory{name: name, total: total, volumes: map[string]*memVolume{}}
	m.volumes[StagingVolume] = newMemVolume()
	return m
}

func newMemVolume() *memVolume {
	return &memVolume{created: time.Now().UTC(), files: map[string]*memFile{}}
}

// String names the drive.
func (m *Memory) String() string { return m.name }

// DiskInfo reports the capacity given to NewMemory and the bytes held.
func (m *Memory) DiskInfo(ctx context.Context) (DiskInfo, error) {
	if err := ctx.Err(); err != nil {
		return DiskInfo{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	free := uint64(0)
	if m.total > m.used {
		free = m.total - m.used
	}
	return DiskInfo{Total: m.total, Free: free, Used: m.used}, nil
}

// MakeVolume creates an empty volume, or fails with ErrVolumeExists.
func (m *Memory) MakeVolume(ctx context.Context, vol string) error {
	if err := checkMemVolume(ctx, vol); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.volumes[vol]; ok {
		return fmt.Errorf("creating volume %s on %s: %w", vol, m.name, ErrVolumeExists)
	}
	m.volumes[vol] = newMemVolume()
	return nil
}

// StatVolume describes a volume, or fails with ErrVolumeNotFound.
func (m *Memory) StatVolume(ctx context.Context, vol string) (VolumeInfo, error) {
	if err := checkMemVolume(ctx, vol); err != nil {
		return VolumeInfo{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.volume(vol)
	if err != nil {
		return VolumeInfo{}, err
	}
	return VolumeInfo{Name: vol, Created: v.created}, nil
}

// ListVolumes returns every volume in name order, StagingVolume excepted.
func (m *Memory) ListVolumes(ctx context.Context) ([]VolumeInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var vols []VolumeInfo
	for name, v := range m.volumes {
		if name != StagingVolume {
			vols = append(vols, VolumeInfo{Name: name, Created: v.created})
		}
	}
	sort.Slice(vols, func(i, j int) bool { return vols[i].Name < vols[j].Name })
	return vols, nil
}

// DeleteVolume removes a volume; without force, only an empty one.
func (m *Memory) DeleteVolume(ctx context.Context, vol string, force bool) error {
	if err := checkMemVolume(ctx, vol); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.volume(vol)
	if err != nil {
		return fmt.Errorf("deleting volume %s: %w", vol, err)
	}
	if !force && len(v.files) > 0 {
		return fmt.Errorf("deleting volume %s on %s: %w", vol, m.name, ErrVolumeNotEmpty)
	}
	for p := range v.files {
		m.drop(v, p)
	}
	delete(m.volumes, vol)
	return nil
}

// CreateFile starts a file that appears at p when the writer commits.
func (m *Memory) CreateFile(ctx context.Context, vol, p string) (FileWriter, error) {
	if err := checkMemPath(ctx, vol, p); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.volume(vol); err != nil {
		return nil, fmt.Errorf("creating %s/%s: %w", vol, p, err)
	}
	return &memWriter{m: m, vol: vol, p: p}, nil
}

// WriteFile replaces the file at p with a copy of data.
func (m *Memory) WriteFile(ctx context.Context, vol, p string, data []byte) error {
	if err := checkMemPath(ctx, vol, p); err != nil {
		return err
	}
	return m.put(vol, p, &memFile{chunks: [][]byte{bytes.Clone(data)}, size: int64(len(data))})
}

// put stores f, which the drive now owns, as the file at p.
func (m *Memory) put(vol, p string, f *memFile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.volume(vol)
	if err != nil {
		return fmt.Errorf("writing %s/%s: %w", vol, p, err)
	}
	if isMemDir(v, p) {
		return fmt.Errorf("writing %s/%s: a directory is in the way: %w", vol, p,
			ErrInvalidName)
	}
	m.drop(v, p)
	v.files[p] = f
	m.used += uint64(f.size)
	return nil
}

// ReadFile returns a copy of the file at p.
func (m *Memory) ReadFile(ctx context.Context, vol, p string) ([]byte, error) {
	f, err := m.get(ctx, vol, p)
	if err != nil {
		return nil, fmt.Errorf("reading %s/%s: %w", vol, p, err)
	}
	return f.bytes(), nil
}

// ReadRange streams length bytes of the file at p from offset; a negative
// length reads to the end, and a range past the end fails with
// io.ErrUnexpectedEOF.
func (m *Memory) ReadRange(ctx context.Context, vol, p string,
	offset, length int64) (io.ReadCloser, error) {
	f, err := m.get(ctx, vol, p)
	if err != nil {
		return nil, fmt.Errorf("opening %s/%s: %w", vol, p, err)
	}
	size := f.size
	if length < 0 {
		length = size - offset
	}
	if offset < 0 || length < 0 || offset+length > size {
		return nil, fmt.Errorf("reading %s/%s: range [%d, %d) outside a file of %d bytes: %w",
			vol, p, offset, offset+length, size, io.ErrUnexpectedEOF)
	}
	return io.NopCloser(f.section(offset, length)), nil
}

// get returns the stored file at p, which callers must not change.
func (m *Memory) get(ctx context.Context, vol, p string) (*memFile, error) {
	if err := checkMemPath(ctx, vol, p); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.volume(vol)
	if err != nil {
		return nil, err
	}
	f, ok := v.files[p]
	if !ok {
		return nil, ErrFileNotFound
	}
	return f, nil
}

// Rename moves a file, or every file under a directory, to another path,
// possibly in another volume. A file replaces a file; a directory never
// replaces a non-empty directory (an error wrapping fs.ErrExist, as the
// rename system call answers for Local).
func (m *Memory) Rename(ctx context.Context, srcVol, srcPath, dstVol, dstPath string) error {
	if err := checkMemPath(ctx, srcVol, srcPath); err != nil {
		return err
	}
	if err := checkMemPath(ctx, dstVol, dstPath); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	fail := func(err error) error {
		return fmt.Errorf("renaming %s/%s to %s/%s: %w", srcVol, srcPath, dstVol, dstPath, err)
	}
	src, err := m.volume(srcVol)
	if err != nil {
		return fail(err)
	}
	dst, err := m.volume(dstVol)
	if err != nil {
		return fail(err)
	}
	if data, ok := src.files[srcPath]; ok {
		if isMemDir(dst, dstPath) {
			return fail(fs.ErrExist)
		}
		delete(src.files, srcPath)
		m.drop(dst, dstPath)
		dst.files[dstPath] = data
		return nil
	}
	moved := under(src, srcPath)
	if len(moved) == 0 {
		return fail(ErrFileNotFound)
	}
	if _, ok := dst.files[dstPath]; ok || isMemDir(dst, dstPath) {
		return fail(fs.ErrExist)
	}
	for _, p := range moved {
		data := src.files[p]
		delete(src.files, p)
		dst.files[dstPath+strings.TrimPrefix(p, srcPath)] = data
	}
	return nil
}

// Delete removes the file or directory tree at p; a missing path is no
// error.
func (m *Memory) Delete(ctx context.Context, vol, p string) error {
	if err := checkMemPath(ctx, vol, p); err != nil {
		return err
	}
	if p == "." {
		return fmt.Errorf("deleting the root of volume %s: %w", vol, ErrInvalidName)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.volume(vol)
	if err != nil {
		return fmt.Errorf("deleting %s/%s: %w", vol, p, err)
	}
	m.drop(v, p)
	for _, f := range under(v, p) {
		m.drop(v, f)
	}
	return nil
}

// List returns the names in directory dir ("." for the volume itself) in
// name order, directories with a trailing slash.
func (m *Memory) List(ctx context.Context, vol, dir string) ([]string, error) {
	if err := checkMemPath(ctx, vol, dir); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.volume(vol)
	if err != nil {
		return nil, fmt.Errorf("listing %s/%s: %w", vol, dir, err)
	}
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	seen := map[string]bool{}
	for p := range v.files {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		if first, _, isDir := strings.Cut(rest, "/"); isDir {
			seen[first+"/"] = true
		} else {
			seen[rest] = true
		}
	}
	if len(seen) == 0 && dir != "." {
		return nil, fmt.Errorf("listing %s/%s: %w", vol, dir, ErrFileNotFound)
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// volume returns vol or ErrVolumeNotFound; m.mu is held.
func (m *Memory) volume(vol string) (*memVolume, error) {
	v, ok := m.volumes[vol]
	if !ok {
		return nil, ErrVolumeNotFound
	}
	return v, nil
}

// drop removes the file at p, if any, from v's files and from the count of
// bytes used; m.mu is held.
func (m *Memory) drop(v *memVolume, p string) {
	if f, ok := v.files[p]; ok {
		m.used -= uint64(f.size)
		delete(v.files, p)
	}
}

// under returns the paths of the files inside directory dir of v.
func under(v *memVolume, dir string) []string {
	var paths []string
	for p := range v.files {
		if strings.HasPrefix(p, dir+"/") {
			paths = append(paths, p)
		}
	}
	return paths
}

// isMemDir reports whether p is a directory of v: some file lies under it.
func isMemDir(v *memVolume, p string) bool {
	for f := range v.files {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}

// checkMemVolume checks ctx and that vol can name a volume.
func checkMemVolume(ctx context.Context, vol string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validVolume(vol) {
		return fmt.Errorf("volume %q: %w", vol, ErrInvalidName)
	}
	return nil
}

// checkMemPath checks ctx and that vol and p can name a file, with Local's
// rules.
func checkMemPath(ctx context.Context, vol, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if vol != StagingVolume && !validVolume(vol) {
		return fmt.Errorf("volume %q: %w", vol, ErrInvalidName)
	}
	first, _, _ := strings.Cut(p, "/")
	if !fs.ValidPath(p) || first == volumeMarker {
		return fmt.Errorf("path %q: %w", p, ErrInvalidName)
	}
	return nil
}

// memWriter is the FileWriter of a Memory drive.
type memWriter struct {
	m      *Memory
	vol, p string
	file   memFile
	done   bool
}

var _ FileWriter = (*memWriter)(nil)

func (w *memWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, ErrWriterDone
	}
	w.file.chunks = append(w.file.chunks, bytes.Clone(p))
	w.file.size += int64(len(p))
	return len(p), nil
}

func (w *memWriter) Commit() error {
	if w.done {
		return ErrWriterDone
	}
	w.done = true
	f := w.file
	w.file = memFile{}
	return w.m.put(w.vol, w.p, &f)
}

func (w *memWriter) Abort() error {
	w.done = true
	w.file = memFile{}
	return nil
}
