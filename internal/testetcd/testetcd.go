// Package testetcd runs a real etcd server inside the test process, on
// loopback ports and a temporary data directory, for tests of the
// control plane's etcd store and leader election.
package testetcd

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// Start starts a one-member etcd cluster and returns its client endpoint.
// The server stops when the test ends.
func Start(t testing.TB) string {
	t.Helper()
	// The ports are found free and then bound by etcd, so another process
	// may take one in between: try again with new ports.
	var err error
	for range startAttempts {
		var e *embed.Etcd
		var client url.URL
		e, client, err = start(t)
		if err == nil {
			t.Cleanup(e.Close)
			select {
			case <-e.Server.ReadyNotify():
			case <-time.After(30 * time.Second):
				t.Fatal("etcd did not become ready within 30s")
			}
			return client.String()
		}
		if !errors.Is(err, syscall.EADDRINUSE) &&
			!strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("starting etcd: %v", err)
	return ""
}

// startAttempts bounds the tries of Start.
const startAttempts = 5

// start starts etcd on two new loopback ports.
func start(t testing.TB) (*embed.Etcd, url.URL, error) {
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.LogLevel = "panic" // its shutdown is noisy at error level
	client, peer := loopbackURL(t), loopbackURL(t)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	e, err := embed.StartEtcd(cfg)
	return e, client, err
}

func loopbackURL(t testing.TB) url.URL {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return url.URL{Scheme: "http", Host: l.Addr().String()}
}
