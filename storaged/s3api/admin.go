package s3api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/strata-storage/strata/storaged/erasure"
)

// Admin endpoints share the S3 port under the reserved /strata/ path.
const (
	// adminHealPath reports healing (GET) and starts a sweep (POST); it
	// needs a signature of the root key.
	adminHealPath = "/strata/admin/heal"
	// adminQuotaPath reads (GET), sets (PUT) and removes (DELETE) the
	// quota of the bucket the query names; it needs the root key.
	adminQuotaPath = "/strata/admin/quota"
	// adminPoolsPath reports the tenant's pools and their drains (GET);
	// it needs the root key.
	adminPoolsPath = "/strata/admin/pools"
	// metricsPath serves Prometheus metrics without a signature.
	metricsPath = "/strata/metrics"
)

// HealControl is a node's healing as the admin endpoint reaches it.
type HealControl interface {
	// HealStatus returns the progress of each erasure set's healing.
	HealStatus() []SetHealStatus
	// StartHeal starts a sweep of bucket (every bucket when "") over the
	// keys that start with prefix, in the background.
	StartHeal(bucket, prefix string) error
}

// SetHealStatus is the healing progress of one erasure set.
type SetHealStatus struct {
	// Set names the erasure set.
	Set string `json:"set"`
	erasure.HealProgress
}

// HealStatus is the JSON body of GET /strata/admin/heal: the node's totals
// and each set's progress.
type HealStatus struct {
	Scanned     uint64 `json:"scanned"`
	Healed      uint64 `json:"healed"`
	Failed      uint64 `json:"failed"`
	Unhealed    uint64 `json:"unhealed"`
	BytesHealed uint64 `json:"bytesHealed"`
	QueueDrops  uint64 `json:"queueDrops"`
	// DriveJobsPending counts the drive heal jobs not finished yet.
	DriveJobsPending int             `json:"driveJobsPending"`
	Sets             []SetHealStatus `json:"sets"`
}

// newHealStatus adds up the sets' progress.
func newHealStatus(sets []SetHealStatus) HealStatus {
	st := HealStatus{Sets: sets}
	if st.Sets == nil {
		st.Sets = []SetHealStatus{}
	}
	for _, s := range sets {
		st.Scanned += s.Scanned
		st.Healed += s.Healed
		st.Failed += s.Failed
		st.Unhealed += s.Unhealed
		st.BytesHealed += s.BytesHealed
		st.QueueDrops += s.QueueDrops
		for _, d := range s.Drives {
			if d.State == erasure.JobQueued || d.State == erasure.JobRunning {
				st.DriveJobsPending++
			}
		}
	}
	return st
}

// AdminConfig is what NewAdmin needs.
type AdminConfig struct {
	// S3 is the S3 handler that serves every other path and whose keys
	// authenticate the admin endpoint. Required.
	S3 *Handler
	// Heal is the node's healing; nil makes the heal endpoint answer 501.
	Heal HealControl
	// Pools reports the tenant's pools; nil makes the pools endpoint
	// answer 501.
	Pools PoolControl
	// NoMetrics turns the metrics endpoint off: it answers 404.
	NoMetrics bool
	// Collectors are further metrics served beside the node's own, such
	// as the telemetry shipper's counters.
	Collectors []prometheus.Collector
	// QuotaRefresh is how long bucket quota and usage figures are
	// trusted; 0 means DefaultQuotaRefresh. Quotas are enforced only when
	// the S3 handler's layer is an object.BucketQuotaStore.
	QuotaRefresh time.Duration
}

// Admin serves the admin and metrics endpoints in front of an S3 handler,
// and measures the S3 requests it passes on. It is safe for concurrent use.
type Admin struct {
	s3        *Handler
	heal      HealControl
	pools     PoolControl
	metrics   *metrics
	noMetrics bool
	quotas    *quotas
}

var _ http.Handler = (*Admin)(nil)

// NewAdmin checks cfg and returns the Admin it describes.
func NewAdmin(cfg AdminConfig) (*Admin, error) {
	if cfg.S3 == nil {
		return nil, errors.New("s3api: admin: S3 handler is nil")
	}
	m, err := newMetrics(cfg.S3, cfg.Heal, cfg.Collectors...)
	if err != nil {
		return nil, err
	}
	return &Admin{s3: cfg.S3, heal: cfg.Heal, pools: cfg.Pools, metrics: m, noMetrics: cfg.NoMetrics,
		quotas: newQuotas(cfg.S3.layer, cfg.QuotaRefresh, nil)}, nil
}

// ServeHTTP answers the admin and metrics paths, and passes every other
// request to the S3 handler.
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case adminHealPath:
		a.s3.serveAudited(w, r, a.serveHeal)
	case adminQuotaPath:
		a.s3.serveAudited(w, r, a.serveQuota)
	case adminPoolsPath:
		a.s3.serveAudited(w, r, a.servePools)
	case metricsPath:
		if a.noMetrics {
			http.Error(w, "metrics are turned off on this node (storaged --metrics=false)",
				http.StatusNotFound)
			return
		}
		a.metrics.ServeHTTP(w, r)
	default:
		a.metrics.measure(a.s3, w, r.WithContext(withQuotas(r.Context(), a.quotas)))
	}
}

// serveHeal answers GET (the progress) and POST (start a sweep) of the
// heal endpoint, for requests signed with the root key.
func (a *Admin) serveHeal(w http.ResponseWriter, req *request) {
	r := req.r
	w.Header().Set("X-Amz-Request-Id", req.id)
	if err := a.s3.authenticateRoot(req); err != nil {
		writeAPIError(w, req, toAPIError(err))
		return
	}
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodPost:
		w.Header().Set("Allow", "GET, POST")
		writeAPIError(w, req, newError("MethodNotAllowed"))
	case a.heal == nil:
		writeJSON(w, http.StatusNotImplemented, adminError{"healing is not configured"})
	case r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, newHealStatus(a.heal.HealStatus()))
	default:
		a.startHeal(w, req)
	}
}

// startHeal starts a sweep of the bucket and prefix the query names.
func (a *Admin) startHeal(w http.ResponseWriter, req *request) {
	bucket, prefix := req.query.Get("bucket"), req.query.Get("prefix")
	err := a.heal.StartHeal(bucket, prefix)
	switch {
	case errors.Is(err, erasure.ErrSweepRunning):
		writeJSON(w, http.StatusConflict, adminError{err.Error()})
	case err != nil:
		a.s3.log.Error("starting a heal sweep failed", "error", err)
		writeJSON(w, http.StatusInternalServerError, adminError{err.Error()})
	default:
		writeJSON(w, http.StatusAccepted, map[string]string{"bucket": bucket, "prefix": prefix})
	}
}

// adminError is the JSON body of an admin endpoint's failure.
type adminError struct {
	Error string `json:"error"`
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
