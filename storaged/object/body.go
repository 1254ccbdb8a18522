package object

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// maxEmptyReads bounds how often a body may return nothing and no error
// before it is treated as stuck.
const maxEmptyReads = 100

// body wraps a PutObject body: it hashes the bytes for the ETag, stops at
// the declared size, and turns an early end into ErrIncompleteBody. After
// the declared size it still reads the source to io.EOF, so that a source
// that checks a trailing checksum at the end gets to do so, and refuses any
// byte beyond the size.
type body struct {
	r    io.Reader
	size int64 // -1 when unknown
	n    int64
	md5  hash.Hash
}

func newBody(r io.Reader, size int64) *body {
	return &body{r: r, size: size, md5: md5.New()}
}

func (b *body) Read(p []byte) (int, error) {
	if b.size >= 0 {
		left := b.size - b.n
		if left == 0 {
			return 0, b.drain()
		}
		p = p[:min(int64(len(p)), left)]
	}
	n, err := b.r.Read(p)
	b.md5.Write(p[:n])
	b.n += int64(n)
	if err == io.EOF && b.size >= 0 && b.n < b.size {
		return n, fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteBody, b.n, b.size)
	}
	return n, err
}

// drain reads the source after the declared size: it must end there.
func (b *body) drain() error {
	var one [1]byte
	for range maxEmptyReads {
		n, err := b.r.Read(one[:])
		if n > 0 {
			return fmt.Errorf("object: body longer than its declared size of %d bytes", b.size)
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// etag returns the lowercase hex MD5 of the bytes read so far.
func (b *body) etag() string { return hex.EncodeToString(b.md5.Sum(nil)) }
