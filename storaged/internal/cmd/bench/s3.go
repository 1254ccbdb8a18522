package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// The object sizes of the S3 figures.
const (
	smallSize = 4 << 10
	largeMiB  = 64
	largeSize = largeMiB << 20
	mib       = 1 << 20
)

// The goals of the S3 figures: the least ratio to the baseline.
const (
	goalPutLarge = 0.25 // erasure coding writes 2x the bytes: data plus parity
	goalGetLarge = 0.5
	goalPutSmall = 0.2
	goalGetSmall = 0.3
)

// bucket is the bucket every S3 figure writes to.
const bucket = "bench"

// workload is one set of S3 figures: count objects of size bytes with
// conc requests in flight.
type workload struct {
	size    int
	count   int // objects per run, once calibrated
	floor   int // the fewest objects per run that calibration may leave
	conc    int
	goalPut float64
	goalGet float64
	payload func(i int) []byte // the bytes of object i
}

// name describes the workload in a figure's name.
func (w workload) name(op string) string {
	return fmt.Sprintf("%s %s, %d in flight", op, w.sizeLabel(), w.conc)
}

// sizeLabel is the object size in KiB or MiB.
func (w workload) sizeLabel() string {
	if w.size >= mib {
		return fmt.Sprintf("%d MiB", w.size/mib)
	}
	return fmt.Sprintf("%d KiB", w.size>>10)
}

// work is what one run does, for the report.
func (w workload) work() string { return fmt.Sprintf("%d x %s", w.count, w.sizeLabel()) }

// unit is objects/s for small objects and MiB/s for large ones.
func (w workload) unit() string {
	if w.size >= mib {
		return "MiB/s"
	}
	return "objects/s"
}

// rate turns the time a run took into the workload's unit.
func (w workload) rate(d time.Duration) float64 {
	if w.size >= mib {
		return float64(w.count) * float64(w.size) / mib / d.Seconds()
	}
	return float64(w.count) / d.Seconds()
}

// The floors of calibration: the fewest objects a run may write.
const (
	smallFloor        = 32
	smallFloorPerConn = 8
	largeFloor        = 2
)

// workloads lists the S3 workloads of cfg: small then large objects, each
// at every concurrency.
func workloads(cfg config) []workload {
	small := randomBytes(cfg.smallCount*smallSize, 1)
	large := randomBytes(largeSize, 2)
	var out []workload
	for _, c := range cfg.concurrency {
		out = append(out, workload{size: smallSize, count: cfg.smallCount, conc: c,
			floor:   min(cfg.smallCount, max(smallFloor, smallFloorPerConn*c)),
			goalPut: goalPutSmall, goalGet: goalGetSmall,
			payload: func(i int) []byte { return small[i*smallSize : (i+1)*smallSize] }})
	}
	for _, c := range cfg.concurrency {
		out = append(out, workload{size: largeSize, count: max(cfg.largeCount, c), conc: c,
			floor:   max(largeFloor, c),
			goalPut: goalPutLarge, goalGet: goalGetLarge,
			payload: func(int) []byte { return large }})
	}
	return out
}

// s3Notes say what the S3 figures measure.
var s3Notes = []string{
	"Strata: aws-sdk-go-v2 PutObject/GetObject (SDK default checksums, no retries) over",
	"  HTTPS/1.1 on loopback to one storaged: 4 drive folders under -dir, parity 2, so each",
	"  object is stored as 2 data + 2 parity shards, 2x its bytes. storaged logs at debug level",
	"  (one line per request), as teststoraged starts it.",
	"baseline: the same bytes as plain files in one folder under -dir, at the same",
	"  concurrency: write + fsync + rename per object; then read back whole. No TLS, no HTTP,",
	"  no erasure coding. Both read paths read what was just written (page cache).",
	"Objects per run (the work column): at most -small-objects of 4 KiB, or",
	"  max(-large-objects, concurrency) of 64 MiB, lowered (to a floor) so that one timed",
	"  Strata PUT phase takes about -phase, as measured once before the runs; baseline and",
	"  Strata do the same work. Every read is checked against the bytes written. Baseline",
	"  and Strata alternate which goes first from run to run. 64 MiB objects are deleted",
	"  after each run, untimed; 4 KiB objects stay until the end.",
}

// s3Bench is the S3 figures' running state: the server, a client and the
// baseline's folder.
type s3Bench struct {
	cfg    config
	client *s3.Client
	plain  string
	log    hclog.Logger
	// baseline makes the baseline of a run in a folder; nil means
	// plainFiles.
	baseline func(dir string) baseline
}

// baseline is what Strata's PUTs and GETs of a workload are measured
// against.
type baseline interface {
	write(ctx context.Context, w workload) error
	read(ctx context.Context, w workload) error
}

// runS3 starts a storaged under cfg.dir, measures every workload, and
// stops the server and removes every file it wrote.
func runS3(ctx context.Context, cfg config, log hclog.Logger) (figs []figure,
	notes []string, err error) {
	parent, err := os.MkdirTemp(cfg.dir, "strata-bench-")
	if err != nil {
		return nil, nil, fmt.Errorf("making the benchmark folder: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(parent)) }()
	p, err := startStoraged(cfg, parent, log)
	if err != nil {
		return nil, nil, err
	}
	defer func() { err = errors.Join(err, p.Stop()) }()

	b := &s3Bench{cfg: cfg, client: newS3Client(p), plain: filepath.Join(parent, "plain"),
		log: log}
	if err := b.prepare(ctx); err != nil {
		return nil, nil, err
	}
	for _, w := range workloads(cfg) {
		put, get, err := b.measure(ctx, w)
		if err != nil {
			return nil, nil, err
		}
		figs = append(figs, put, get)
	}
	return figs, s3Notes, nil
}

// startStoraged builds storaged unless cfg names a binary, and starts it
// with its drives in a folder under parent.
func startStoraged(cfg config, parent string, log hclog.Logger) (*teststoraged.Process, error) {
	bin := cfg.storagedBin
	if bin == "" {
		log.Info("building storaged")
		var err error
		if bin, err = teststoraged.Build(parent); err != nil {
			return nil, err
		}
	}
	p, err := teststoraged.Launch(bin, parent)
	if err != nil {
		return nil, fmt.Errorf("starting storaged: %w", err)
	}
	log.Info("storaged started", "endpoint", p.Endpoint)
	return p, nil
}

// newS3Client returns an aws-sdk-go-v2 client for p: path-style, the
// SDK's default checksum settings, no retries (a failed request fails the
// benchmark), and enough idle connections that no run pays for new TLS
// handshakes after its warm-up. HTTP/2 is not attempted, as with most S3
// clients.
func newS3Client(p *teststoraged.Process) *s3.Client {
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: p.Roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 2 * maxConcurrency,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
	}
	return s3.New(s3.Options{
		Region:       teststoraged.Region,
		BaseEndpoint: aws.String(p.Endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(
			teststoraged.AccessKey, teststoraged.SecretKey, ""),
		HTTPClient:                 &http.Client{Transport: tr, Timeout: 5 * time.Minute},
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

// prepare makes the bucket and the baseline's folder.
func (b *s3Bench) prepare(ctx context.Context) error {
	if _, err := b.client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String(bucket),
	}); err != nil {
		return fmt.Errorf("creating bucket %s: %w", bucket, err)
	}
	if err := os.Mkdir(b.plain, 0o700); err != nil {
		return fmt.Errorf("making the baseline folder: %w", err)
	}
	return nil
}

// measure runs w cfg.runs times and returns its PUT and GET figures.
func (b *s3Bench) measure(ctx context.Context, w workload) (put, get figure, err error) {
	if err := b.warmUp(ctx, w.conc); err != nil {
		return put, get, err
	}
	if w, err = b.calibrate(ctx, w); err != nil {
		return put, get, err
	}
	put = figure{name: w.name("PUT"), unit: w.unit(), work: w.work(), goal: w.goalPut}
	get = figure{name: w.name("GET"), unit: w.unit(), work: w.work(), goal: w.goalGet}
	b.log.Info("measuring", "figures", w.name("PUT/GET"), "objects", w.count,
		"runs", b.cfg.runs)
	for r := range b.cfg.runs {
		s, err := b.run(ctx, w, r)
		if err != nil {
			return put, get, fmt.Errorf("%s, run %d: %w", w.name("PUT/GET"), r+1, err)
		}
		put.value, put.baseline = append(put.value, s.put), append(put.baseline, s.plainWrite)
		get.value, get.baseline = append(get.value, s.get), append(get.baseline, s.plainRead)
		b.log.Info("run done", "figures", w.name("PUT/GET"), "run", r+1,
			"put", s.put, "plain_write", s.plainWrite, "get", s.get, "plain_read", s.plainRead,
			"unit", w.unit())
	}
	return put, get, nil
}

// calibrate returns w with its count lowered so that one timed PUT phase
// takes about cfg.phase, judged by PUTting w.floor objects, and never
// below w.floor. It leaves w as it is when cfg.phase is 0 or the count is
// the floor already.
func (b *s3Bench) calibrate(ctx context.Context, w workload) (workload, error) {
	if b.cfg.phase == 0 || w.floor >= w.count {
		return w, nil
	}
	probe := w
	probe.count = w.floor
	prefix := fmt.Sprintf("calibrate-c%d-%d/", w.conc, w.size)
	d, err := timed(func() error { return b.putAll(ctx, probe, prefix) })
	if err == nil {
		err = b.deleteLarge(ctx, probe, prefix)
	}
	if err != nil {
		return w, fmt.Errorf("calibrating %s: %w", w.name("PUT"), err)
	}
	fit := int(float64(w.floor) * b.cfg.phase.Seconds() / d.Seconds())
	w.count = min(w.count, max(w.floor, fit))
	return w, nil
}

// samples are one run's four rates.
type samples struct {
	put, get, plainWrite, plainRead float64
}

// run measures one run of w: the baseline's writes and Strata's PUTs,
// then the baseline's reads and Strata's GETs, the baseline first on even
// runs and second on odd ones, then removes what the run wrote.
func (b *s3Bench) run(ctx context.Context, w workload, r int) (samples, error) {
	prefix := fmt.Sprintf("run%d-c%d-%d/", r, w.conc, w.size)
	dir := filepath.Join(b.plain, fmt.Sprintf("run%d-c%d-%d", r, w.conc, w.size))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return samples{}, fmt.Errorf("making a baseline folder: %w", err)
	}
	var pf baseline = plainFiles{dir: dir}
	if b.baseline != nil {
		pf = b.baseline(dir)
	}
	var s samples
	steps := [][2]func() error{
		{b.rated(w, &s.plainWrite, func() error { return pf.write(ctx, w) }),
			b.rated(w, &s.put, func() error { return b.putAll(ctx, w, prefix) })},
		{b.rated(w, &s.plainRead, func() error { return pf.read(ctx, w) }),
			b.rated(w, &s.get, func() error { return b.getAll(ctx, w, prefix) })},
	}
	for _, pair := range steps {
		first, second := pair[0], pair[1]
		if r%2 == 1 {
			first, second = second, first
		}
		if err := first(); err != nil {
			return samples{}, err
		}
		if err := second(); err != nil {
			return samples{}, err
		}
	}
	return s, b.clean(ctx, w, prefix, dir)
}

// rated returns a step that times fn and stores the rate in out.
func (b *s3Bench) rated(w workload, out *float64, fn func() error) func() error {
	return func() error {
		d, err := timed(fn)
		*out = w.rate(d)
		return err
	}
}

// putAll PUTs every object of w under prefix, w.conc at a time.
func (b *s3Bench) putAll(ctx context.Context, w workload, prefix string) error {
	return forEach(ctx, w.count, w.conc, func(ctx context.Context, i int) error {
		return b.put(ctx, prefix+objectName(i), w.payload(i))
	})
}

// getAll GETs every object of w under prefix, w.conc at a time, checking
// each one's bytes.
func (b *s3Bench) getAll(ctx context.Context, w workload, prefix string) error {
	return forEach(ctx, w.count, w.conc, func(ctx context.Context, i int) error {
		return b.get(ctx, prefix+objectName(i), w.payload(i))
	})
}

func (b *s3Bench) put(ctx context.Context, key string, data []byte) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return fmt.Errorf("PUT %s: %w", key, err)
	}
	return nil
}

func (b *s3Bench) get(ctx context.Context, key string, want []byte) error {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		return fmt.Errorf("GET %s: %w", key, err)
	}
	defer out.Body.Close()
	m := &matcher{want: want}
	if _, err := io.Copy(m, out.Body); err != nil {
		return fmt.Errorf("GET %s: %w", key, err)
	}
	if err := m.done(); err != nil {
		return fmt.Errorf("GET %s: %w", key, err)
	}
	return nil
}

// cleanConcurrency is how many deletes run at once between runs.
const cleanConcurrency = 16

// clean removes a run's baseline files and deletes its 64 MiB objects,
// untimed. The 4 KiB objects stay until the server's folders are removed:
// deleting them one by one would take longer than writing them.
func (b *s3Bench) clean(ctx context.Context, w workload, prefix, dir string) error {
	return errors.Join(b.deleteLarge(ctx, w, prefix), os.RemoveAll(dir))
}

// deleteLarge deletes the objects of w under prefix when they are large.
func (b *s3Bench) deleteLarge(ctx context.Context, w workload, prefix string) error {
	if w.size < mib {
		return nil
	}
	return forEach(ctx, w.count, cleanConcurrency, func(ctx context.Context, i int) error {
		key := prefix + objectName(i)
		if _, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key),
		}); err != nil {
			return fmt.Errorf("DELETE %s: %w", key, err)
		}
		return nil
	})
}

// warmUp opens conc connections and exercises PUT and GET before a
// workload is timed.
func (b *s3Bench) warmUp(ctx context.Context, conc int) error {
	w := workload{size: smallSize, count: 2 * conc, conc: conc,
		payload: func(int) []byte { return randomBytes(smallSize, 3) }}
	if err := b.putAll(ctx, w, "warm-up/"); err != nil {
		return fmt.Errorf("warming up: %w", err)
	}
	if err := b.getAll(ctx, w, "warm-up/"); err != nil {
		return fmt.Errorf("warming up: %w", err)
	}
	dir := filepath.Join(b.plain, "warm-up")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("warming up: %w", err)
	}
	return b.clean(ctx, w, "warm-up/", dir)
}
