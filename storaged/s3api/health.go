package s3api

import (
	"context"
	"net/http"
	"time"
)

// Health endpoints share the S3 port; they need no signature.
const (
	healthLivePath  = "/strata/health/live"
	healthReadyPath = "/strata/health/ready"
	// reservedBucket is the first path segment of the health endpoints,
	// so no bucket may take the name.
	reservedBucket = "strata"
	// readyTimeout bounds the object layer call of a readiness check.
	readyTimeout = 5 * time.Second
)

func isHealthPath(path string) bool {
	return path == healthLivePath || path == healthReadyPath
}

// serveHealth answers liveness (the process serves HTTP) and readiness
// (the object layer answers a bucket listing).
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
