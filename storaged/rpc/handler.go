package rpc

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/erasure"
)

// copyBufferSize is the size of the buffers that stream file contents.
const copyBufferSize = 128 << 10

// HandlerConfig describes what a node serves to its peers. Every field is
// required, except that GetClientCAs may stand in for ClientCAs.
type HandlerConfig struct {
	// Drives are the node's local drives, by the ID its peers address them
	// with. The handler never closes or reformats them.
	Drives map[string]erasure.Drive
	// ClientCAs holds the tenant's CA: a caller's certificate must chain
	// to it.
	ClientCAs *x509.CertPool
	// GetClientCAs, when set, is called for each caller instead of using
	// ClientCAs, so that a reloaded CA bundle is trusted from then on.
	GetClientCAs func() *x509.CertPool
	// Nodes are the names of the tenant's nodes: a caller's certificate
	// must carry one as its common name or as a DNS name.
	Nodes []string
	// Locks, when set, is the node's share of the tenant's namespace
	// locks, which the peers' Lockers take and release.
	Locks *LockTable
}

// Handler serves a node's local drives to the other nodes of its tenant.
// Mount it at PathPrefix; it answers 404 to any other path.
type Handler struct {
	drives map[string]erasure.Drive
	locks  *LockTable
	auth   authority
	ops    map[string]operation
	bufs   sync.Pool
}

// operation is one RPC: the HTTP method it takes and what it does.
type operation struct {
	method string
	serve  func(w http.ResponseWriter, r *http.Request, d erasure.Drive) error
}

var _ http.Handler = (*Handler)(nil)

// NewHandler checks cfg and returns the handler it describes.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	switch {
	case cfg.ClientCAs == nil && cfg.GetClientCAs == nil:
		return nil, errors.New("rpc: a handler needs the tenant's CA to check callers")
	case len(cfg.Nodes) == 0:
		return nil, errors.New("rpc: a handler needs the names of the tenant's nodes")
	}
	h := &Handler{
		drives: make(map[string]erasure.Drive, len(cfg.Drives)),
		locks:  cfg.Locks,
		auth: authority{roots: cfg.ClientCAs, getRoots: cfg.GetClientCAs,
			nodes: append([]string(nil), cfg.Nodes...)},
	}
	for id, d := range cfg.Drives {
		if d == nil {
			return nil, fmt.Errorf("rpc: drive %q is nil", id)
		}
		h.drives[id] = d
	}
	h.bufs.New = func() any { return new([copyBufferSize]byte) }
	h.ops = h.operations()
	return h, nil
}

// operations returns the table of RPCs.
func (h *Handler) operations() map[string]operation {
	get, post, put := http.MethodGet, http.MethodPost, http.MethodPut
	return map[string]operation{
		opDiskInfo:   {get, serveDiskInfo},
		opMakeVolume: {post, serveMakeVolume},
		opStatVolume: {get, serveStatVolume},
		opListVols:   {get, serveListVolumes},
		opDeleteVol:  {post, serveDeleteVolume},
		opCreate:     {put, h.serveCreate},
		opWrite:      {put, serveWrite},
		opRead:       {get, serveRead},
		opReadRange:  {get, h.serveReadRange},
		opRename:     {post, serveRename},
		opDelete:     {post, serveDelete},
		opList:       {get, serveList},
	}
}

// ServeHTTP authenticates the caller, finds the drive and runs the
// operation.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, PathPrefix)
	if !ok {
		writeError(w, http.StatusNotFound, codeBadRequest, "no RPC at "+r.URL.Path)
		return
	}
	if err := h.authenticate(r); err != nil {
		writeError(w, http.StatusForbidden, codeForbidden, err.Error())
		return
	}
	switch name {
	case opPing:
		w.WriteHeader(http.StatusNoContent)
		return
	case opLock, opUnlock:
		h.serveLocks(w, r, name)
		return
	}
	op, ok := h.ops[name]
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, codeBadRequest, "unknown RPC "+strconv.Quote(name))
		return
	case r.Method != op.method:
		w.Header().Set("Allow", op.method)
		writeError(w, http.StatusMethodNotAllowed, codeBadRequest, name+" takes "+op.method)
		return
	}
	d, ok := h.drives[r.URL.Query().Get(paramDrive)]
	if !ok {
		writeError(w, http.StatusNotFound, codeDriveNotFound,
			"this node has no drive "+strconv.Quote(r.URL.Query().Get(paramDrive)))
		return
	}
	if err := op.serve(w, r, d); err != nil {
		writeDriveError(w, err)
	}
}

// authenticate demands TLS and a client certificate of a tenant node.
func (h *Handler) authenticate(r *http.Request) error {
	if r.TLS == nil {
		return fmt.Errorf("%w: the RPC is served over TLS only", ErrNotANode)
	}
	_, err := h.auth.verify(r.TLS.PeerCertificates, x509.ExtKeyUsageClientAuth)
	return err
}

// writeDriveError answers with the code of a drive error.
func writeDriveError(w http.ResponseWriter, err error) {
	var bad badRequestError
	if errors.As(err, &bad) {
		writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	code, status := classify(err)
	writeError(w, status, code, err.Error())
}

// writeError answers with an error body.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Code: code, Message: msg})
}

// writeJSON answers 200 with v.
func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("rpc: encoding %T: %w", v, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
	return nil
}

// badRequestError is a request the handler cannot parse.
type badRequestError struct{ msg string }

func (e badRequestError) Error() string { return "rpc: bad request: " + e.msg }

// int64Param parses an integer query parameter.
func int64Param(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequestError{fmt.Sprintf("%s=%q is not an integer", name, v)}
	}
	return n, nil
}

// copyStream copies src to dst and tells read errors from write errors.
func copyStream(dst io.Writer, src io.Reader, buf []byte) (n int64, readErr, writeErr error) {
	for {
		m, err := src.Read(buf)
		if m > 0 {
			if _, werr := dst.Write(buf[:m]); werr != nil {
				return n, nil, werr
			}
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}

// serveCreate streams a request body into a new file and commits it only
// when the body ended with the commit trailer and its byte count matches.
func (h *Handler) serveCreate(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	q := r.URL.Query()
	fw, err := d.CreateFile(r.Context(), q.Get(paramVol), q.Get(paramPath))
	if err != nil {
		return err
	}
	defer fw.Abort()

	buf := h.bufs.Get().(*[copyBufferSize]byte)
	n, readErr, writeErr := copyStream(fw, r.Body, buf[:])
	h.bufs.Put(buf)
	switch {
	case writeErr != nil:
		return writeErr
	case readErr != nil:
		return badRequestError{"upload broken off: " + readErr.Error()}
	}
	if sent := r.Trailer.Get(commitTrailer); sent != strconv.FormatInt(n, 10) {
		return badRequestError{fmt.Sprintf("upload ended without a commit for its %d bytes "+
			"(trailer %q)", n, sent)}
	}
	if err := fw.Commit(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// serveReadRange streams a range of a file. A failure once the body has
// started breaks the connection, so the caller sees a short body, never a
// complete-looking wrong one.
func (h *Handler) serveReadRange(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	off, err := int64Param(r, paramOffset)
	if err != nil {
		return err
	}
	length, err := int64Param(r, paramLength)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rc, err := d.ReadRange(r.Context(), q.Get(paramVol), q.Get(paramPath), off, length)
	if err != nil {
		return err
	}
	defer rc.Close()

	w.Header().Set("Content-Type", "application/octet-stream")
	if length >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	}
	// Send the header now: from here on, a stall is the stream's, and the
	// caller's stall timeout covers it.
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush()
	buf := h.bufs.Get().(*[copyBufferSize]byte)
	defer h.bufs.Put(buf)
	n, readErr, writeErr := copyStream(w, rc, buf[:])
	if readErr != nil || writeErr != nil || (length >= 0 && n != length) {
		panic(http.ErrAbortHandler)
	}
	return nil
}

func serveDiskInfo(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	info, err := d.DiskInfo(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, wireDiskInfo{Total: info.Total, Free: info.Free, Used: info.Used})
}

func serveMakeVolume(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	if err := d.MakeVolume(r.Context(), r.URL.Query().Get(paramVol)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func serveStatVolume(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	v, err := d.StatVolume(r.Context(), r.URL.Query().Get(paramVol))
	if err != nil {
		return err
	}
	return writeJSON(w, toWireVolume(v))
}

func serveListVolumes(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	vols, err := d.ListVolumes(r.Context())
	if err != nil {
		return err
	}
	out := make([]wireVolume, len(vols))
	for i, v := range vols {
		out[i] = toWireVolume(v)
	}
	return writeJSON(w, out)
}

func serveDeleteVolume(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	q := r.URL.Query()
	force, err := strconv.ParseBool(q.Get(paramForce))
	if err != nil {
		return badRequestError{fmt.Sprintf("%s=%q is not a boolean", paramForce, q.Get(paramForce))}
	}
	if err := d.DeleteVolume(r.Context(), q.Get(paramVol), force); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func serveWrite(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWriteFile))
	if err != nil {
		return badRequestError{"reading the file: " + err.Error()}
	}
	q := r.URL.Query()
	if err := d.WriteFile(r.Context(), q.Get(paramVol), q.Get(paramPath), data); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func serveRead(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	q := r.URL.Query()
	data, err := d.ReadFile(r.Context(), q.Get(paramVol), q.Get(paramPath))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
	return nil
}

func serveRename(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	q := r.URL.Query()
	err := d.Rename(r.Context(), q.Get(paramVol), q.Get(paramPath),
		q.Get(paramDstVol), q.Get(paramDstPath))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func serveDelete(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	q := r.URL.Query()
	if err := d.Delete(r.Context(), q.Get(paramVol), q.Get(paramPath)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func serveList(w http.ResponseWriter, r *http.Request, d erasure.Drive) error {
	q := r.URL.Query()
	names, err := d.List(r.Context(), q.Get(paramVol), q.Get(paramPath))
	if err != nil {
		return err
	}
	if names == nil {
		names = []string{}
	}
	return writeJSON(w, names)
}

// serveLocks grants or releases namespace locks.
func (h *Handler) serveLocks(w http.ResponseWriter, r *http.Request, op string) {
	q := r.URL.Query()
	holder := q.Get(paramHolder)
	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, codeBadRequest, op+" takes POST")
		return
	case h.locks == nil:
		writeError(w, http.StatusNotFound, codeBadRequest, "this node keeps no locks")
		return
	case holder == "":
		writeError(w, http.StatusBadRequest, codeBadRequest, "no lock holder given")
		return
	}
	if op == opUnlock {
		h.locks.Release(holder, append(q[paramRead], q[paramWrite]...))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ttl, err := int64Param(r, paramTTL)
	if err != nil || ttl <= 0 {
		writeError(w, http.StatusBadRequest, codeBadRequest, "the lock needs a positive "+paramTTL)
		return
	}
	if !h.locks.Grant(holder, q[paramRead], q[paramWrite], time.Duration(ttl)*time.Millisecond) {
		writeError(w, http.StatusConflict, codeLocked, "held by another")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
