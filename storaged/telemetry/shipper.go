package telemetry

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
)

// Streams, as the counters' stream label names them.
const (
	StreamAudit = "audit"
	StreamLog   = "log"
)

// Defaults of Config.
const (
	DefaultQueueSize     = 10000
	DefaultBatchSize     = 500
	DefaultFlushInterval = time.Second
	DefaultTimeout       = 10 * time.Second
	DefaultTries         = 3
	DefaultBackoff       = 250 * time.Millisecond
	// failureReportInterval is how often at most a target's failures are
	// reported on Config.Logger.
	failureReportInterval = time.Minute
)

// Config is what New needs. Zero values take the defaults.
type Config struct {
	// Node names the node in every record: its name in the topology, or
	// its address.
	Node string
	// Audit and Logs are the targets of the two streams.
	Audit, Logs []Target
	// LogLevel is the lowest level of the log lines shipped; the zero
	// value ships every line.
	LogLevel hclog.Level
	// QueueSize bounds the records each target holds before new ones are
	// dropped; default DefaultQueueSize.
	QueueSize int
	// BatchSize bounds the records of one Elasticsearch bulk request;
	// default DefaultBatchSize.
	BatchSize int
	// FlushInterval is how long an Elasticsearch target waits for a batch
	// to fill; default DefaultFlushInterval.
	FlushInterval time.Duration
	// Timeout bounds each HTTP request; default DefaultTimeout.
	Timeout time.Duration
	// Tries is how many times a request is tried before its records count
	// as failed; default DefaultTries.
	Tries int
	// Backoff is the pause before the second try, doubled for each later
	// one; default DefaultBackoff.
	Backoff time.Duration
	// Client sends the requests; nil means a client of its own that
	// checks https targets against the system's roots.
	Client *http.Client
	// Logger gets a warning, at most once a minute per target, when
	// records fail; nil means none. It must be a logger whose lines are
	// not shipped (not the one Accept is a sink of), or a failing log
	// target would feed itself.
	Logger hclog.Logger
}

// withDefaults fills in the zero values.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.QueueSize, DefaultQueueSize)
	def(&c.BatchSize, DefaultBatchSize)
	def(&c.Tries, DefaultTries)
	defDur(&c.FlushInterval, DefaultFlushInterval)
	defDur(&c.Timeout, DefaultTimeout)
	defDur(&c.Backoff, DefaultBackoff)
	if c.Client == nil {
		c.Client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if c.Logger == nil {
		c.Logger = hclog.NewNullLogger()
	}
	return c
}

// Shipper queues records and sends them to their targets, one goroutine
// per target. Its methods are safe for concurrent use; Audit and Accept
// never block.
type Shipper struct {
	node     atomic.Value // string
	level    hclog.Level
	audit    []*sender
	logs     []*sender
	closing  chan struct{}
	once     sync.Once
	hardStop context.CancelFunc
}

var (
	_ hclog.SinkAdapter    = (*Shipper)(nil)
	_ prometheus.Collector = (*Shipper)(nil)
)

// New validates every target and starts a sender for each.
func New(cfg Config) (*Shipper, error) {
	var errs []error
	for _, t := range append(append([]Target{}, cfg.Audit...), cfg.Logs...) {
		if err := t.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Shipper{level: cfg.LogLevel, closing: make(chan struct{}), hardStop: cancel}
	s.node.Store(cfg.Node)
	for _, t := range cfg.Audit {
		s.audit = append(s.audit, startSender(ctx, cfg, StreamAudit, t, s.closing))
	}
	for _, t := range cfg.Logs {
		s.logs = append(s.logs, startSender(ctx, cfg, StreamLog, t, s.closing))
	}
	return s, nil
}

// SetNode changes the node name of later records, e.g. to the address a
// node learns once it listens.
func (s *Shipper) SetNode(node string) { s.node.Store(node) }

func (s *Shipper) nodeName() string { return s.node.Load().(string) }

// Audit queues r for every audit target. It never blocks: a full queue
// drops r and counts it.
func (s *Shipper) Audit(r AuditRecord) {
	if len(s.audit) == 0 {
		return
	}
	if r.Node == "" {
		r.Node = s.nodeName()
	}
	b, err := r.MarshalJSON()
	enqueue(s.audit, b, err)
}

// Accept queues one log line for every log target, when its level is at
// least Config.LogLevel. It is the hclog.SinkAdapter of an
// hclog.InterceptLogger, called for each line the logger writes.
func (s *Shipper) Accept(name string, level hclog.Level, msg string, args ...any) {
	if len(s.logs) == 0 || level < s.level {
		return
	}
	b, err := newLogRecord(time.Now(), s.nodeName(), name, level, msg, args)
	enqueue(s.logs, b, err)
}

// enqueue hands one encoded record to each sender; a record that could
// not be encoded counts as failed.
func enqueue(senders []*sender, record []byte, err error) {
	for _, sd := range senders {
		if err != nil {
			sd.failed.Add(1)
			continue
		}
		sd.enqueue(record)
	}
}

// Close stops taking records and sends what is queued, until ctx ends;
// what is still queued then is counted as dropped. It returns ctx's error
// when it had to give up, and may be called more than once.
func (s *Shipper) Close(ctx context.Context) error {
	s.once.Do(func() { close(s.closing) })
	all := append(append([]*sender{}, s.audit...), s.logs...)
	for _, sd := range all {
		select {
		case <-sd.done:
		case <-ctx.Done():
			s.hardStop()
			for _, sd := range all {
				<-sd.done
			}
			return ctx.Err()
		}
	}
	s.hardStop()
	return nil
}

// descRecords describes the records counter.
var descRecords = prometheus.NewDesc("strata_telemetry_records_total",
	"Audit and log records, by stream, target and whether they were sent, dropped "+
		"(queue full or shutting down) or failed (refused after every try).",
	[]string{"stream", "target", "result"}, nil)

// Describe sends the description of the records counter.
func (s *Shipper) Describe(ch chan<- *prometheus.Desc) { ch <- descRecords }

// Collect sends each target's counts.
func (s *Shipper) Collect(ch chan<- prometheus.Metric) {
	for _, sd := range append(append([]*sender{}, s.audit...), s.logs...) {
		for result, v := range map[string]uint64{"sent": sd.sent.Load(),
			"dropped": sd.dropped.Load(), "failed": sd.failed.Load()} {
			ch <- prometheus.MustNewConstMetric(descRecords, prometheus.CounterValue,
				float64(v), sd.stream, sd.target.Label(), result)
		}
	}
}

// Counts are one target's totals so far.
type Counts struct {
	Sent, Dropped, Failed uint64
}

// Counts returns the totals of each target of stream, in the order the
// targets were configured.
func (s *Shipper) Counts(stream string) []Counts {
	senders := s.audit
	if stream == StreamLog {
		senders = s.logs
	}
	out := make([]Counts, len(senders))
	for i, sd := range senders {
		out[i] = Counts{sd.sent.Load(), sd.dropped.Load(), sd.failed.Load()}
	}
	return out
}
