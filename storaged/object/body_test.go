package object

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// trailerReader returns data, then err instead of io.EOF, like a body
// reader whose trailing checksum does not match.
type trailerReader struct {
	r   io.Reader
	err error
}

func (t *trailerReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		return n, t.err
	}
	return n, err
}

var errBadTrailer = errors.New("trailing checksum mismatch")

func TestBodyEnforcesTheDeclaredSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		r       io.Reader
		size    int64
		want    string
		wantErr error
	}{
		{"an exact body reads whole", strings.NewReader("hello"), 5, "hello", nil},
		{"an unknown size reads to the end", strings.NewReader("hello"), -1, "hello", nil},
		{"a short body is incomplete", strings.NewReader("hel"), 5, "hel", ErrIncompleteBody},
		{"an empty body of declared size zero is fine", strings.NewReader(""), 0, "", nil},
		{"a body read one byte at a time reads whole",
			iotest.OneByteReader(strings.NewReader("hello")), 5, "hello", nil},
		{"a bad trailer after the declared size is reported",
			&trailerReader{r: strings.NewReader("hello"), err: errBadTrailer}, 5, "hello", errBadTrailer},
		{"a source failing half way is reported",
			&trailerReader{r: strings.NewReader("he"), err: errBadTrailer}, 5, "he", errBadTrailer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := io.ReadAll(newBody(tt.r, tt.size))
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestBodyRefusesBytesBeyondTheDeclaredSize(t *testing.T) {
	t.Parallel()
	_, err := io.ReadAll(newBody(strings.NewReader("hello world"), 5))
	if err == nil || !strings.Contains(err.Error(), "longer than its declared size") {
		t.Errorf("got error %v, want one about a body longer than declared", err)
	}
}

func TestBodyETagIsTheLowercaseHexMD5(t *testing.T) {
	t.Parallel()
	b := newBody(strings.NewReader("hello"), 5)
	if _, err := io.ReadAll(b); err != nil {
		t.Fatal(err)
	}
	if got, want := b.etag(), "5d41402abc4b2a76b9719d911017c592"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
