package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// The cluster figures' tenant: 4 nodes of 2 drives, one erasure set of 8
// drives with parity 4, so each object is 4 data + 4 parity shards.
const (
	clusterNodes  = 4
	clusterDrives = 2
	clusterParity = 4
	clusterData   = clusterNodes*clusterDrives - clusterParity
)

// clusterNotes say what the cluster figures measure.
var clusterNotes = []string{
	"Strata: aws-sdk-go-v2 PutObject/GetObject of 64 MiB objects over HTTPS/1.1 on",
	"  loopback to the first node of a 4 x 2 tenant (4 storaged processes, 2 drive folders",
	"  each under -dir, parity 4): every object is 4 data + 4 parity shards, 2x its bytes,",
	"  of which the node writes 2 shards to its own drives and 6 to its peers' over the",
	"  mutual-TLS drive RPC, and reads 4 data shards back, 3 of them from peers.",
	"baseline, the physical limit: plain file I/O of the same shard bytes on the same file",
	"  system at the same concurrency: per object, 8 files of a quarter of its bytes each,",
	"  written in parallel (write, fsync, rename); then the 4 data files read back.",
	"  No TLS, no HTTP, no coding, no network hop.",
}

// runCluster starts a 4 x 2 tenant under cfg.dir, measures 64 MiB PUT and
// GET at every concurrency, and stops the tenant and removes its files.
func runCluster(ctx context.Context, cfg config, log hclog.Logger) (figs []figure,
	notes []string, err error) {
	parent, err := os.MkdirTemp(cfg.dir, "strata-bench-cluster-")
	if err != nil {
		return nil, nil, fmt.Errorf("making the cluster folder: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(parent)) }()
	bin := cfg.storagedBin
	if bin == "" {
		log.Info("building storaged")
		if bin, err = teststoraged.Build(parent); err != nil {
			return nil, nil, err
		}
	}
	var c *testcluster.Cluster
	stop, err := teststoraged.Harness(parent, func(tb testing.TB) {
		c = testcluster.Start(tb, testcluster.Config{Bin: bin, Nodes: clusterNodes,
			DrivesPerNode: clusterDrives, Parity: clusterParity})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("starting the 4 x 2 tenant: %w", err)
	}
	defer func() { err = errors.Join(err, stop()) }()
	log.Info("tenant started", "nodes", clusterNodes, "endpoint", c.Nodes[0].Endpoint)

	b := &s3Bench{cfg: cfg, client: newClusterClient(c), plain: filepath.Join(parent, "plain"),
		log: log, baseline: newShardFiles}
	if err := b.prepare(ctx); err != nil {
		return nil, nil, err
	}
	for _, w := range clusterWorkloads(cfg) {
		put, get, err := b.measure(ctx, w)
		if err != nil {
			return nil, nil, err
		}
		put.name, get.name = "4 x 2 tenant: "+put.name, "4 x 2 tenant: "+get.name
		figs = append(figs, put, get)
	}
	return figs, clusterNotes, nil
}

// clusterWorkloads are the 64 MiB workloads of cfg, without goals: the
// issue asks for the ratio to the physical limit, which the report prints.
func clusterWorkloads(cfg config) []workload {
	var out []workload
	for _, w := range workloads(cfg) {
		if w.size == largeSize {
			w.goalPut, w.goalGet = 0, 0
			out = append(out, w)
		}
	}
	return out
}

// newClusterClient returns an S3 client of the tenant's first node, set up
// as newS3Client sets up its client.
func newClusterClient(c *testcluster.Cluster) *s3.Client {
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: c.Roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 2 * maxConcurrency,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
	}
	return s3.New(s3.Options{
		Region:       testcluster.Region,
		BaseEndpoint: aws.String(c.Nodes[0].Endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(
			testcluster.AccessKey, testcluster.SecretKey, ""),
		HTTPClient:                 &http.Client{Transport: tr, Timeout: 5 * time.Minute},
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

// shardFiles is the physical limit of the cluster figures: each object as
// the shard files a 4 x 2 tenant writes, without coding them.
type shardFiles struct {
	dir string
}

func newShardFiles(dir string) baseline { return shardFiles{dir: dir} }

// write stores every object of w as 8 files of a quarter of its bytes,
// written in parallel, w.conc objects at a time. The parity files repeat
// the data quarters: the bytes differ from real parity, the I/O does not.
func (s shardFiles) write(ctx context.Context, w workload) error {
	return forEach(ctx, w.count, w.conc, func(ctx context.Context, i int) error {
		data := w.payload(i)
		quarter := len(data) / clusterData
		return forEach(ctx, clusterData+clusterParity, clusterData+clusterParity,
			func(_ context.Context, j int) error {
				part := data[(j%clusterData)*quarter:][:quarter]
				return writeDurably(s.dir, shardName(i, j), part)
			})
	})
}

// read reads the 4 data files of every object of w, in parallel, w.conc
// objects at a time, and checks their bytes.
func (s shardFiles) read(ctx context.Context, w workload) error {
	return forEach(ctx, w.count, w.conc, func(ctx context.Context, i int) error {
		data := w.payload(i)
		quarter := len(data) / clusterData
		return forEach(ctx, clusterData, clusterData, func(_ context.Context, j int) error {
			return readAndCheck(filepath.Join(s.dir, shardName(i, j)),
				data[j*quarter:][:quarter])
		})
	})
}

// shardName names shard j of object i.
func shardName(i, j int) string { return fmt.Sprintf("%s-shard-%d", objectName(i), j) }
