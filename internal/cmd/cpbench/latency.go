package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/benchstat"
)

// baselineServer is a trivial HTTPS handler in this process: it answers
// every request with the same canned cluster, over TLS with an ECDSA P-256
// certificate as the control plane's, and HTTP/2 as Go's server offers.
type baselineServer struct {
	endpoint string
	caPEM    []byte
	srv      *http.Server
	done     chan struct{}
}

// startBaseline serves body on a free loopback port.
func startBaseline(body []byte) (*baselineServer, error) {
	cert, caPEM, err := selfSigned()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the baseline: %w", err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	b := &baselineServer{endpoint: "https://" + ln.Addr().String(), caPEM: caPEM,
		done: make(chan struct{})}
	b.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go func() { _ = b.srv.ServeTLS(ln, "", ""); close(b.done) }()
	return b, nil
}

func (b *baselineServer) close() {
	_ = b.srv.Close()
	<-b.done
}

// selfSigned makes a self-signed ECDSA P-256 certificate for 127.0.0.1 and
// returns it with its PEM.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generating the baseline key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "cpbench baseline"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("signing the baseline certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// latencies is one run's request times, by method.
type latencies struct {
	put, get []time.Duration
}

// loadRun PUTs n new local clusters named prefix-i, then GETs each, with
// conc requests in flight, and returns every request's time.
func loadRun(ctx context.Context, c *client.Client, prefix string, n, conc int) (latencies, error) {
	var l latencies
	var err error
	spec := model.ClusterSpec{Kind: model.ClusterLocal}
	l.put, err = timeEach(n, conc, func(i int) error {
		_, err := c.PutCluster(ctx, fmt.Sprintf("%s-%d", prefix, i), spec, nil)
		return err
	})
	if err != nil {
		return l, fmt.Errorf("PUT: %w", err)
	}
	l.get, err = timeEach(n, conc, func(i int) error {
		_, err := c.GetCluster(ctx, fmt.Sprintf("%s-%d", prefix, i))
		return err
	})
	if err != nil {
		return l, fmt.Errorf("GET: %w", err)
	}
	return l, nil
}

// timeEach calls do(0) to do(n-1) from conc goroutines and returns how
// long each call took. It stops at the first error.
func timeEach(n, conc int, do func(i int) error) ([]time.Duration, error) {
	took := make([]time.Duration, n)
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, conc)
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				start := time.Now()
				if err := do(i); err != nil {
					errs[w] = err
					failed.Store(true)
					return
				}
				took[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	return took, errors.Join(errs...)
}

// latencyFigures holds the four latency figures as they fill up.
type latencyFigures struct {
	putP50, putP99, getP50, getP99 figure
}

func newLatencyFigures(cfg config) *latencyFigures {
	work := fmt.Sprintf("%d req, %d in flight", cfg.requests, cfg.concurrency)
	fig := func(name string, goal float64) figure {
		return figure{name: name, work: work, unit: "ms", goal: goal}
	}
	return &latencyFigures{putP50: fig("PUT cluster p50", 5), putP99: fig("PUT cluster p99", 0),
		getP50: fig("GET cluster p50", 5), getP99: fig("GET cluster p99", 0)}
}

// add records one run of Strata and one of the baseline.
func (lf *latencyFigures) add(s, b latencies) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	for _, x := range []struct {
		f       *figure
		s, b    []time.Duration
		percent float64
	}{
		{&lf.putP50, s.put, b.put, 50}, {&lf.putP99, s.put, b.put, 99},
		{&lf.getP50, s.get, b.get, 50}, {&lf.getP99, s.get, b.get, 99},
	} {
		x.f.value = append(x.f.value, ms(benchstat.Percentile(x.s, x.percent)))
		x.f.baseline = append(x.f.baseline, ms(benchstat.Percentile(x.b, x.percent)))
	}
}

func (lf *latencyFigures) list() []figure {
	return []figure{lf.putP50, lf.putP99, lf.getP50, lf.getP99}
}

// runLatency measures PUT and GET latency of the control plane beside the
// baseline server, alternating them run by run.
func runLatency(ctx context.Context, cfg config, cp *controlPlane,
	log hclog.Logger) ([]figure, error) {
	strata, err := cp.client()
	if err != nil {
		return nil, err
	}
	canned, err := strata.GetCluster(ctx, benchCluster)
	if err != nil {
		return nil, fmt.Errorf("reading the bench cluster: %w", err)
	}
	body, err := json.Marshal(canned)
	if err != nil {
		return nil, fmt.Errorf("encoding the canned answer: %w", err)
	}
	bs, err := startBaseline(body)
	if err != nil {
		return nil, err
	}
	defer bs.close()
	base, err := client.New(client.Config{Endpoint: bs.endpoint, Token: "baseline",
		CACertPEM: bs.caPEM, Timeout: 30 * time.Second, UserAgent: "strata-cpbench"})
	if err != nil {
		return nil, fmt.Errorf("the baseline's client: %w", err)
	}
	return measureLatency(ctx, cfg, strata, base, log)
}

func measureLatency(ctx context.Context, cfg config, strata, base *client.Client,
	log hclog.Logger) ([]figure, error) {
	lf := newLatencyFigures(cfg)
	for _, c := range []*client.Client{strata, base} { // open the connections
		if _, err := c.GetCluster(ctx, benchCluster); err != nil {
			return nil, fmt.Errorf("warming up: %w", err)
		}
	}
	for i := range cfg.latencyRuns {
		prefix := fmt.Sprintf("lat-%d", i+1)
		b, err := loadRun(ctx, base, prefix, cfg.requests, cfg.concurrency)
		if err != nil {
			return nil, fmt.Errorf("baseline run %d: %w", i+1, err)
		}
		s, err := loadRun(ctx, strata, prefix, cfg.requests, cfg.concurrency)
		if err != nil {
			return nil, fmt.Errorf("control plane run %d: %w", i+1, err)
		}
		lf.add(s, b)
		p50 := func(d []time.Duration) time.Duration { return benchstat.Percentile(d, 50) }
		log.Info("latency run", "run", i+1, "put_p50", p50(s.put), "get_p50", p50(s.get),
			"baseline_put_p50", p50(b.put), "baseline_get_p50", p50(b.get))
	}
	return lf.list(), nil
}
