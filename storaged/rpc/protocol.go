package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// PathPrefix is where the RPC lives on a node's HTTPS port. The first
// element, "strata", is a bucket name that S3 refuses, so no S3 request
// can ever reach it.
const PathPrefix = "/strata/rpc/v1/"

// Operations, the last element of a request's path.
const (
	opPing       = "ping"
	opDiskInfo   = "diskinfo"
	opMakeVolume = "makevol"
	opStatVolume = "statvol"
	opListVols   = "listvols"
	opDeleteVol  = "deletevol"
	opCreate     = "create"
	opWrite      = "write"
	opRead       = "read"
	opReadRange  = "readrange"
	opRename     = "rename"
	opDelete     = "delete"
	opList       = "list"
	opLock       = "lock"
	opUnlock     = "unlock"
)

// Query parameters.
const (
	paramDrive   = "drive"
	paramVol     = "vol"
	paramPath    = "path"
	paramDstVol  = "dst-vol"
	paramDstPath = "dst-path"
	paramForce   = "force"
	paramOffset  = "offset"
	paramLength  = "length"
	paramHolder  = "holder"
	paramRead    = "r" // repeated: a name to hold for reading
	paramWrite   = "w" // repeated: a name to hold for writing
	paramTTL     = "ttl-ms"
)

// commitTrailer is the trailer that ends a CreateFile upload: the number of
// bytes the client sent. Without it the upload is aborted.
const commitTrailer = "Strata-Commit"

// maxWriteFile bounds the body of one WriteFile; the erasure layer writes
// metadata records with it, which are far smaller.
const maxWriteFile = 64 << 20

// Error codes carried in error bodies.
const (
	codeDriveOffline   = "DriveOffline"
	codeDriveNotFound  = "DriveNotFound"
	codeVolumeNotFound = "VolumeNotFound"
	codeFileNotFound   = "FileNotFound"
	codeVolumeExists   = "VolumeExists"
	codeVolumeNotEmpty = "VolumeNotEmpty"
	codeInvalidName    = "InvalidName"
	codeOutOfRange     = "OutOfRange"
	codeWriterDone     = "WriterDone"
	codeForbidden      = "Forbidden"
	codeLocked         = "Locked"
	codeBadRequest     = "BadRequest"
	codeCanceled       = "Canceled"
	codeInternal       = "Internal"
)

// errorBody is the JSON of an error response.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// sentinels maps error codes to the errors they stand for, in the order the
// server tests them: a drive error wraps the most specific sentinel last.
var sentinels = []struct {
	code   string
	err    error
	status int
}{
	{codeDriveOffline, drive.ErrDriveOffline, http.StatusServiceUnavailable},
	{codeVolumeNotFound, drive.ErrVolumeNotFound, http.StatusNotFound},
	{codeFileNotFound, drive.ErrFileNotFound, http.StatusNotFound},
	{codeVolumeExists, drive.ErrVolumeExists, http.StatusConflict},
	{codeVolumeNotEmpty, drive.ErrVolumeNotEmpty, http.StatusConflict},
	{codeInvalidName, drive.ErrInvalidName, http.StatusBadRequest},
	{codeOutOfRange, io.ErrUnexpectedEOF, http.StatusRequestedRangeNotSatisfiable},
	{codeWriterDone, drive.ErrWriterDone, http.StatusConflict},
	{codeCanceled, context.Canceled, http.StatusServiceUnavailable},
	{codeCanceled, context.DeadlineExceeded, http.StatusServiceUnavailable},
}

// classify returns the code and status a drive error travels with.
func classify(err error) (code string, status int) {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.code, s.status
		}
	}
	return codeInternal, http.StatusInternalServerError
}

// remoteError rebuilds an error that a peer sent: it wraps the sentinel the
// code names, so that callers test it with errors.Is as if it were local. A
// peer that has no such drive, or refuses this node, makes the drive
// offline: it cannot serve the set either way.
func remoteError(where string, status int, body errorBody) error {
	switch body.Code {
	case codeDriveNotFound, codeForbidden:
		return fmt.Errorf("%w: %s: %s (%d)", drive.ErrDriveOffline, where, body.Message, status)
	case codeLocked:
		return fmt.Errorf("%s: %w", where, errLocked)
	}
	for _, s := range sentinels {
		if s.code == body.Code && s.code != codeCanceled {
			return fmt.Errorf("%s: %w: %s", where, s.err, body.Message)
		}
	}
	return fmt.Errorf("%s: peer answered %d %s: %s", where, status, body.Code, body.Message)
}

// wireDiskInfo is drive.DiskInfo on the wire.
type wireDiskInfo struct {
	Total uint64 `json:"total"`
	Free  uint64 `json:"free"`
	Used  uint64 `json:"used"`
}

// wireVolume is drive.VolumeInfo on the wire.
type wireVolume struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

func toWireVolume(v drive.VolumeInfo) wireVolume {
	return wireVolume{Name: v.Name, Created: v.Created}
}

func fromWireVolume(v wireVolume) drive.VolumeInfo {
	return drive.VolumeInfo{Name: v.Name, Created: v.Created}
}
