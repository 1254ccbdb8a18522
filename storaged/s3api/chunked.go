package s3api

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"
)

// maxChunkLine bounds a chunk header or trailer line of an aws-chunked body.
const maxChunkLine = 4096

// emptySHA256 is the hex SHA-256 of nothing.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// trailerSignatureName is the trailer line that signs the other trailers.
const trailerSignatureName = "x-amz-trailer-signature"

// chunkSigner checks the signature chain of a signed aws-chunked body:
// each chunk signs the previous signature and its own data, starting from
// the request's seed signature.
type chunkSigner struct {
	key     []byte
	amzDate string
	scope   string
	prev    string
}

// verifyChunk checks one chunk's signature given the SHA-256 of its data.
func (s *chunkSigner) verifyChunk(dataSHA256 []byte, got string) error {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev +
		"\n" + emptySHA256 + "\n" + hex.EncodeToString(dataSHA256)
	want := signHex(s.key, sts)
	if !signaturesEqual(want, got) {
		e := errorf("SignatureDoesNotMatch", "The chunk signature we calculated does not "+
			"match the chunk-signature you provided.")
		e.fields.StringToSign = sts
		return e
	}
	s.prev = want
	return nil
}

// verifyTrailer checks the signature over the canonical trailer lines.
func (s *chunkSigner) verifyTrailer(canonical, got string) error {
	sum := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev +
		"\n" + hex.EncodeToString(sum[:])
	if !signaturesEqual(signHex(s.key, sts), got) {
		e := errorf("SignatureDoesNotMatch", "The trailer signature we calculated does "+
			"not match the x-amz-trailer-signature you provided.")
		e.fields.StringToSign = sts
		return e
	}
	return nil
}

// chunkedReader decodes an aws-chunked body into its payload. It returns
// io.EOF only after the last chunk, every chunk signature, the trailers
// and the trailer signature have checked out and the payload length equals
// the declared x-amz-decoded-content-length; anything else is an error.
type chunkedReader struct {
	src      *bufio.Reader
	signer   *chunkSigner // nil: chunks carry no signature
	trailer  bool         // trailing headers follow the last chunk
	declared map[string]bool
	size     int64 // x-amz-decoded-content-length
	decoded  int64
	left     int64 // data bytes left in the current chunk
	inData   bool  // a data chunk has begun; its CRLF is pending
	chunkSig string
	hash     hash.Hash
	trailers map[string]string
	err      error
}

// newChunkedReader decodes src. size is the declared payload length,
// signer is nil for unsigned chunks, trailer says whether trailing headers
// follow, and names lists those that x-amz-trailer declared.
func newChunkedReader(src io.Reader, size int64, signer *chunkSigner, trailer bool,
	names []string) *chunkedReader {
	c := &chunkedReader{
		src:      bufio.NewReaderSize(src, 32<<10),
		signer:   signer,
		trailer:  trailer,
		declared: make(map[string]bool, len(names)),
		size:     size,
		trailers: make(map[string]string, len(names)),
	}
	for _, n := range names {
		c.declared[n] = true
	}
	if signer != nil {
		c.hash = sha256.New()
	}
	return c
}

// trailerValue returns a trailing header's value once Read returned io.EOF.
func (c *chunkedReader) trailerValue(name string) string {
	return c.trailers[name]
}

// Read implements io.Reader over the decoded payload.
func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.left == 0 {
		if err := c.advance(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.src.Read(p)
	c.left -= int64(n)
	c.decoded += int64(n)
	if c.hash != nil {
		c.hash.Write(p[:n])
	}
	if errors.Is(err, io.EOF) {
		err = errTruncatedChunk()
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// advance finishes the current chunk and starts the next one; after the
// last chunk it reads the trailers and returns io.EOF.
func (c *chunkedReader) advance() error {
	if c.inData {
		if err := c.finishChunk(); err != nil {
			return err
		}
	}
	size, sig, err := c.readChunkHeader()
	if err != nil {
		return err
	}
	if size == 0 {
		return c.finish(sig)
	}
	if size > c.size-c.decoded {
		return malformedChunk("the chunks hold more than the %d bytes that "+
			"x-amz-decoded-content-length declares", c.size)
	}
	c.left, c.inData, c.chunkSig = size, true, sig
	if c.hash != nil {
		c.hash.Reset()
	}
	return nil
}

// finishChunk reads the CRLF after a chunk's data and checks its signature.
func (c *chunkedReader) finishChunk() error {
	if err := c.expectCRLF(); err != nil {
		return err
	}
	c.inData = false
	if c.signer == nil {
		return nil
	}
	return c.signer.verifyChunk(c.hash.Sum(nil), c.chunkSig)
}

// finish handles the final zero-length chunk and what follows it.
func (c *chunkedReader) finish(sig string) error {
	if c.signer != nil {
		empty := sha256.Sum256(nil)
		if err := c.signer.verifyChunk(empty[:], sig); err != nil {
			return err
		}
	}
	if err := c.readTrailers(); err != nil {
		return err
	}
	if c.decoded != c.size {
		return errorf("IncompleteBody", "The chunks hold %d bytes but "+
			"x-amz-decoded-content-length declares %d.", c.decoded, c.size)
	}
	return io.EOF
}

// readChunkHeader reads "hex-size[;chunk-signature=sig]".
func (c *chunkedReader) readChunkHeader() (int64, string, error) {
	line, err := c.readLine()
	if errors.Is(err, io.EOF) {
		return 0, "", errTruncatedChunk()
	}
	if err != nil {
		return 0, "", err
	}
	sizeHex, ext, hasExt := strings.Cut(line, ";")
	size, err := parseChunkSize(sizeHex)
	if err != nil {
		return 0, "", err
	}
	if c.signer == nil {
		return size, "", nil
	}
	name, sig, _ := strings.Cut(ext, "=")
	if !hasExt || name != "chunk-signature" || len(sig) != 64 {
		return 0, "", malformedChunk("the chunk header %.80q has no chunk-signature", line)
	}
	return size, strings.ToLower(sig), nil
}

// parseChunkSize parses a chunk's hexadecimal length.
func parseChunkSize(s string) (int64, error) {
	if s == "" || len(s) > 16 {
		return 0, malformedChunk("the chunk size %.20q is not a hexadecimal length", s)
	}
	n, err := strconv.ParseInt(s, 16, 64)
	if err != nil || n < 0 {
		return 0, malformedChunk("the chunk size %.20q is not a hexadecimal length", s)
	}
	return n, nil
}

// readTrailers reads "name:value" lines up to the empty line, checks them
// against x-amz-trailer and checks the trailer signature.
func (c *chunkedReader) readTrailers() error {
	var canonical strings.Builder
	signature := ""
	for {
		line, err := c.readTrailerLine()
		if errors.Is(err, io.EOF) && c.trailersComplete(signature) {
			break // the final empty line may be missing
		}
		if errors.Is(err, io.EOF) {
			return errTruncatedChunk()
		}
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		name, value, err := c.parseTrailerLine(line, signature)
		if err != nil {
			return err
		}
		if name == trailerSignatureName {
			signature = value
			continue
		}
		c.trailers[name] = value
		canonical.WriteString(name + ":" + value + "\n")
	}
	return c.checkTrailers(canonical.String(), signature)
}

// parseTrailerLine splits one trailer line and checks that it may appear.
func (c *chunkedReader) parseTrailerLine(line, signature string) (string, string, error) {
	name, value, ok := strings.Cut(line, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	value = strings.TrimSpace(value)
	switch {
	case !ok || !c.trailer:
		return "", "", malformedTrailer("unexpected trailing data %.80q", line)
	case signature != "":
		return "", "", malformedTrailer("%s must be the last trailer", trailerSignatureName)
	case name == trailerSignatureName && c.signer == nil:
		return "", "", malformedTrailer("%s in an unsigned stream", trailerSignatureName)
	case name == trailerSignatureName:
		return name, strings.ToLower(value), nil
	case !c.declared[name]:
		return "", "", malformedTrailer("the trailer %q was not declared in x-amz-trailer", name)
	case c.trailers[name] != "":
		return "", "", malformedTrailer("the trailer %q appears twice", name)
	}
	return name, value, nil
}

// trailersComplete reports whether everything that must follow the last
// chunk has arrived.
func (c *chunkedReader) trailersComplete(signature string) bool {
	if !c.trailer {
		return true
	}
	return len(c.trailers) == len(c.declared) && (c.signer == nil || signature != "")
}

// checkTrailers demands every declared trailer and a valid signature.
func (c *chunkedReader) checkTrailers(canonical, signature string) error {
	for name := range c.declared {
		if _, ok := c.trailers[name]; !ok {
			return malformedTrailer("the trailer %q declared in x-amz-trailer is missing", name)
		}
	}
	if c.signer == nil || !c.trailer {
		return nil
	}
	if signature == "" {
		return malformedTrailer("%s is missing", trailerSignatureName)
	}
	return c.signer.verifyTrailer(canonical, signature)
}

// readLine reads one CRLF-terminated line without its CRLF. It returns
// io.EOF only when the stream ends before the line's first byte.
func (c *chunkedReader) readLine() (string, error) {
	line, err := c.readRawLine()
	if err != nil {
		return "", err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", malformedChunk("a chunk line does not end with CRLF")
	}
	return string(line[:len(line)-2]), nil
}

// readTrailerLine reads one trailer line without its line ending, which
// may be CRLF or a bare LF: minio-go ends its trailers with LF, and the
// trailer signature covers names and values, not line endings.
func (c *chunkedReader) readTrailerLine() (string, error) {
	line, err := c.readRawLine()
	if err != nil {
		return "", err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line), nil
}

// readRawLine reads one line with its LF.
func (c *chunkedReader) readRawLine() ([]byte, error) {
	line, err := c.src.ReadSlice('\n')
	switch {
	case errors.Is(err, io.EOF) && len(line) == 0:
		return nil, io.EOF
	case errors.Is(err, io.EOF):
		return nil, errTruncatedChunk()
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLine:
		return nil, malformedChunk("a chunk line is longer than %d bytes", maxChunkLine)
	case err != nil:
		return nil, err
	}
	return line, nil
}

// expectCRLF reads the CRLF that ends a chunk's data.
func (c *chunkedReader) expectCRLF() error {
	var b [2]byte
	if _, err := io.ReadFull(c.src, b[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errTruncatedChunk()
		}
		return err
	}
	if b != [2]byte{'\r', '\n'} {
		return malformedChunk("a chunk's data is longer than its declared size")
	}
	return nil
}

func errTruncatedChunk() *apiError {
	return errorf("IncompleteBody", "The aws-chunked body ended before its final chunk.")
}

func malformedChunk(format string, args ...any) *apiError {
	return errorf("InvalidRequest", "The aws-chunked body is malformed: "+format+".", args...)
}

func malformedTrailer(format string, args ...any) *apiError {
	return errorf("MalformedTrailerError",
		"The request contained trailing data that was not well-formed: "+format+".", args...)
}
