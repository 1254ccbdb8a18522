package s3api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/strata-storage/strata/storaged/object"
)

// drivesTimeout bounds the drive checks of one scrape.
const drivesTimeout = 5 * time.Second

// metrics is the Prometheus registry of one Admin: S3 requests counted
// and timed as they pass, healing and drives read at each scrape.
type metrics struct {
	registry *prometheus.Registry
	handler  http.Handler
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics registers the metrics of s3's requests, of heal (when not
// nil) and extra in a registry of their own.
func newMetrics(s3 *Handler, heal HealControl, extra ...prometheus.Collector) (*metrics, error) {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "strata_s3_requests_total",
		Help: "S3 requests answered, by operation and HTTP status.",
	}, []string{"operation", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "strata_s3_request_duration_seconds",
		Help:    "Time to answer an S3 request, by operation.",
		Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
	}, []string{"operation"})
	cs := []prometheus.Collector{m.requests, m.duration, &stateCollector{layer: s3.layer,
		heal: heal}}
	cs = append(cs, extra...)
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m, nil
}

// ServeHTTP serves the metrics in the Prometheus text format.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.handler.ServeHTTP(w, r)
}

// measure passes one S3 request to next and counts and times it.
func (m *metrics) measure(next http.Handler, w http.ResponseWriter, r *http.Request) {
	op := operationOf(r)
	rec := &metricsRecorder{ResponseWriter: w}
	start := time.Now()
	defer func() {
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	}()
	next.ServeHTTP(rec, r)
}

// metricsRecorder remembers the status an answer began with.
type metricsRecorder struct {
	http.ResponseWriter
	status int
}

func (m *metricsRecorder) WriteHeader(status int) {
	if m.status == 0 {
		m.status = status
	}
	m.ResponseWriter.WriteHeader(status)
}

func (m *metricsRecorder) Write(p []byte) (int, error) {
	if m.status == 0 {
		m.status = http.StatusOK
	}
	return m.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (m *metricsRecorder) Unwrap() http.ResponseWriter { return m.ResponseWriter }

// Descriptions of the metrics read at each scrape.
var (
	descScanned = prometheus.NewDesc("strata_heal_objects_scanned_total",
		"Objects checked by healing (queue, scanner, sweeps, drive heal jobs).",
		[]string{"set"}, nil)
	descHealed = prometheus.NewDesc("strata_heal_objects_healed_total",
		"Objects on which healing rebuilt something.", []string{"set"}, nil)
	descFailed = prometheus.NewDesc("strata_heal_objects_failed_total",
		"Objects that healing could not heal whole.", []string{"set"}, nil)
	descUnhealed = prometheus.NewDesc("strata_heal_objects_unhealed",
		"Objects whose latest heal failed and that no later heal made whole.",
		[]string{"set"}, nil)
	descBytes = prometheus.NewDesc("strata_heal_bytes_healed_total",
		"Shard bytes written by healing.", []string{"set"}, nil)
	descDrops = prometheus.NewDesc("strata_heal_queue_drops_total",
		"Objects to heal dropped because the heal queue was full.", []string{"set"}, nil)
	descJobDone = prometheus.NewDesc("strata_heal_drive_objects_done",
		"Objects a drive heal job has checked.", []string{"set", "drive", "state"}, nil)
	descJobTotal = prometheus.NewDesc("strata_heal_drive_objects_total",
		"Objects a drive heal job has to check.", []string{"set", "drive", "state"}, nil)
	descJobFailures = prometheus.NewDesc("strata_heal_drive_objects_failed",
		"Objects a drive heal job could not heal.", []string{"set", "drive", "state"}, nil)
	descDrives = prometheus.NewDesc("strata_drives",
		"Drives of the node's erasure sets, by whether they answer.", []string{"state"}, nil)
)

// stateCollector reads healing progress and drive states at each scrape.
type stateCollector struct {
	layer object.Layer
	heal  HealControl
}

// Describe sends the descriptions of every metric the collector makes.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descScanned, descHealed, descFailed, descUnhealed,
		descBytes, descDrops, descJobDone, descJobTotal, descJobFailures, descDrives} {
		ch <- d
	}
}

// Collect sends the current values.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	c.collectDrives(ch)
	if c.heal == nil {
		return
	}
	for _, s := range c.heal.HealStatus() {
		counter := func(d *prometheus.Desc, v uint64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), s.Set)
		}
		counter(descScanned, s.Scanned)
		counter(descHealed, s.Healed)
		counter(descFailed, s.Failed)
		ch <- prometheus.MustNewConstMetric(descUnhealed, prometheus.GaugeValue,
			float64(s.Unhealed), s.Set)
		counter(descBytes, s.BytesHealed)
		counter(descDrops, s.QueueDrops)
		for _, d := range s.Drives {
			labels := []string{s.Set, d.Drive, string(d.State)}
			gauge := func(desc *prometheus.Desc, v float64) {
				ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
			}
			gauge(descJobDone, float64(d.Done))
			gauge(descJobTotal, float64(d.Total))
			gauge(descJobFailures, float64(len(d.Failures)))
		}
	}
}

// collectDrives counts the drives that answer and those that do not.
func (c *stateCollector) collectDrives(ch chan<- prometheus.Metric) {
	r, ok := c.layer.(object.DriveReporter)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), drivesTimeout)
	defer cancel()
	var online, offline float64
	for _, d := range r.DriveStates(ctx) {
		if d.Online {
			online++
		} else {
			offline++
		}
	}
	ch <- prometheus.MustNewConstMetric(descDrives, prometheus.GaugeValue, online, "online")
	ch <- prometheus.MustNewConstMetric(descDrives, prometheus.GaugeValue, offline, "offline")
}
