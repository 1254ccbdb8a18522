package s3api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// Health endpoints share the S3 port; they need no signature.
const (
	healthLivePath  = "/strata/health/live"
	healthReadyPath = "/strata/health/ready"
	// healthDrivesPath reports, as JSON, which drives answer.
	healthDrivesPath = "/strata/health/drives"
	// reservedBucket is the first path segment of the health endpoints,
	// so no bucket may take the name.
	reservedBucket = "strata"
	// readyTimeout bounds the object layer call of a readiness check.
	readyTimeout = 5 * time.Second
)

func isHealthPath(path string) bool {
	return path == healthLivePath || path == healthReadyPath || path == healthDrivesPath
}

// DrivesReport is the JSON body of /strata/health/drives.
type DrivesReport struct {
	Online  int                 `json:"online"`
	Offline int                 `json:"offline"`
	Drives  []object.DriveState `json:"drives"`
}

// serveDrives reports which of the layer's drives answer.
func (h *Handler) serveDrives(w http.ResponseWriter, ctx context.Context) {
	rep := DrivesReport{Drives: []object.DriveState{}}
	if r, ok := h.layer.(object.DriveReporter); ok {
		rep.Drives = r.DriveStates(ctx)
	}
	for _, d := range rep.Drives {
		if d.Online {
			rep.Online++
		} else {
			rep.Offline++
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(rep)
}

// serveHealth answers liveness (the process serves HTTP), readiness (the
// object layer answers a bucket listing) and the state of each drive.
func (h *Handler) serveHealth(w http.ResponseWriter, req *request) error {
	r := req.r
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return newError("MethodNotAllowed")
	}
	if r.URL.Path == healthLivePath {
		writeText(w, http.StatusOK, "ok\n")
		return nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if r.URL.Path == healthDrivesPath {
		h.serveDrives(w, ctx)
		return nil
	}
	if _, err := h.layer.ListBuckets(ctx); err != nil {
		h.log.Warn("readiness check failed", "error", err)
		writeText(w, http.StatusServiceUnavailable, "not ready: the object layer does not answer\n")
		return nil
	}
	writeText(w, http.StatusOK, "ok\n")
	return nil
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
