package rpc

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
)

// closedAddr returns a loopback address that nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestDeadPeerIsOfflineQuickly calls a peer whose port is closed, twice:
// each call fails at once with drive.ErrDriveOffline.
func TestDeadPeerIsOfflineQuickly(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	p := newTestPeer(t, ca, "node-b", "https://"+closedAddr(t), ca.issue(t, "node-a"))
	d := p.Drive(testDriveID)
	ctx := context.Background()
	for _, call := range []struct {
		name string
		run  func() error
	}{
		{"make volume", func() error { return d.MakeVolume(ctx, "v") }},
		{"create file", func() error { _, err := d.CreateFile(ctx, "v", "f"); return err }},
		{"read range", func() error { _, err := d.ReadRange(ctx, "v", "f", 0, 1); return err }},
	} {
		start := time.Now()
		err := call.run()
		if took := time.Since(start); !errors.Is(err, drive.ErrDriveOffline) || took > time.Second {
			t.Errorf("%s: got %v after %s, want ErrDriveOffline within 1s", call.name, err, took)
		}
	}
	if !p.Online() {
		t.Errorf("a refused connection marked the peer down; want every call to try it")
	}
}

// TestHungPeerIsOfflineWithinTheHandshakeTimeout calls a peer that accepts
// connections and never answers, then calls it again while it is known to
// be down.
func TestHungPeerIsOfflineWithinTheHandshakeTimeout(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	p := newTestPeer(t, ca, "node-b", "https://"+hungAddr(t), ca.issue(t, "node-a"))
	d := p.Drive(testDriveID)

	start := time.Now()
	_, err := d.ReadFile(context.Background(), "v", "f")
	took := time.Since(start)
	if !errors.Is(err, drive.ErrDriveOffline) || took > DefaultHandshakeTimeout+time.Second {
		t.Fatalf("got %v after %s, want ErrDriveOffline within %s", err, took,
			DefaultHandshakeTimeout+time.Second)
	}
	start = time.Now()
	_, err = d.CreateFile(context.Background(), "v", "f")
	took = time.Since(start)
	if !errors.Is(err, drive.ErrDriveOffline) || took > 50*time.Millisecond {
		t.Errorf("a second call: got %v after %s, want ErrDriveOffline at once", err, took)
	}
	if err == nil || !strings.Contains(err.Error(), "unreachable since") {
		t.Errorf("got %v, want it to say since when the node is unreachable", err)
	}
}

// hungAddr returns the address of a listener that accepts connections and
// never says a word, until the test ends.
func hungAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return ln.Addr().String()
}

// TestPeerComesBackWhenItRestarts stops a node, checks that its drive is
// offline, starts it again on the same port and waits for the drive.
func TestPeerComesBackWhenItRestarts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if err := f.remote.MakeVolume(ctx, "v"); err != nil {
		t.Fatal(err)
	}
	addr := f.server.Listener.Addr().String()
	f.server.Close()
	if _, err := f.remote.StatVolume(ctx, "v"); !errors.Is(err, drive.ErrDriveOffline) {
		t.Fatalf("with the node stopped: got %v, want ErrDriveOffline", err)
	}

	restartNode(t, f, addr)
	deadline := time.Now().Add(DefaultRetryInterval + 2*time.Second)
	for {
		_, err := f.remote.StatVolume(ctx, "v")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: still %v, want the drive back", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !f.peer.Online() {
		t.Errorf("the peer still counts as down after answering")
	}
}

// restartNode serves the fixture's drive again on addr.
func restartNode(t *testing.T, f *fixture, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(HandlerConfig{Drives: map[string]erasure.Drive{testDriveID: f.local},
		ClientCAs: f.ca.pool, Nodes: testNodes})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{f.ca.issue(t, "node-b")},
		ClientAuth: tls.RequestClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)
}

// stuckDrive is a local drive whose streams make no progress until
// release is closed.
type stuckDrive struct {
	*drive.Local
	release chan struct{}
}

func (s stuckDrive) ReadRange(context.Context, string, string, int64,
	int64) (io.ReadCloser, error) {
	return io.NopCloser(blocked(s.release)), nil
}

func (s stuckDrive) CreateFile(context.Context, string, string) (drive.FileWriter, error) {
	return blocked(s.release), nil
}

// blocked is a reader and writer that waits for its channel to close.
type blocked chan struct{}

func (b blocked) Read([]byte) (int, error) {
	<-b
	return 0, io.ErrClosedPipe
}

func (b blocked) Write([]byte) (int, error) {
	<-b
	return 0, io.ErrClosedPipe
}
func (b blocked) Commit() error { return nil }
func (b blocked) Abort() error  { return nil }

// TestStalledStreamsFail serves a drive whose streams hang and checks that
// reads and writes fail after the stall timeout.
func TestStalledStreamsFail(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	local, err := drive.Open(filepath.Join(t.TempDir(), "d"), drive.Identity{SetID: "s"})
	if err != nil {
		t.Fatal(err)
	}
	stuck := stuckDrive{Local: local, release: make(chan struct{})}
	srv := startNode(t, ca, "node-b", map[string]erasure.Drive{testDriveID: stuck})
	t.Cleanup(func() { close(stuck.release) }) // runs before the server stops
	const stall = 300 * time.Millisecond
	// Each case has its own peer: a stall marks the peer down.
	stalling := func(t *testing.T) *RemoteDrive {
		cert := ca.issue(t, "node-a")
		p, err := NewPeer(PeerConfig{Node: "node-b", Endpoint: srv.URL, RootCAs: ca.pool,
			StallTimeout: stall,
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				return &cert, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p.Drive(testDriveID)
	}

	t.Run("a read that gets no bytes fails", func(t *testing.T) {
		d := stalling(t)
		rc, err := d.ReadRange(context.Background(), "v", "f", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		start := time.Now()
		_, err = rc.Read(make([]byte, 10))
		if took := time.Since(start); !errors.Is(err, drive.ErrDriveOffline) || took > 10*stall {
			t.Errorf("got %v after %s, want ErrDriveOffline after about %s", err, took, stall)
		}
		if d.p.Online() {
			t.Errorf("the peer still counts as online after a stalled read")
		}
	})
	t.Run("a write the peer does not take fails", func(t *testing.T) {
		d := stalling(t)
		w, err := d.CreateFile(context.Background(), "v", "f")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		chunk := make([]byte, 1<<20)
		start := time.Now()
		for range 256 {
			if _, err = w.Write(chunk); err != nil {
				break
			}
		}
		if took := time.Since(start); !errors.Is(err, drive.ErrDriveOffline) || took > 20*stall {
			t.Errorf("got %v after %s, want ErrDriveOffline after about %s", err, took, stall)
		}
		if d.p.Online() {
			t.Errorf("the peer still counts as online after a stalled write")
		}
	})
}
