package local

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
)

func TestNodesServeMetricsOnlyWhenTheTenantAsks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		monitoring *model.TenantMonitoring
		wantStatus int
		wantBody   string
	}{
		{"a tenant with prometheus serves metrics", &model.TenantMonitoring{Prometheus: true},
			http.StatusOK, "strata_drives"},
		{"a tenant without monitoring serves none", nil, http.StatusNotFound,
			"--metrics=false"},
	}
	p := newProvisioner(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tenant := newTenant([]string{"metrics-on", "metrics-off"}[i], 1, 2)
			tenant.Spec.Monitoring = tt.monitoring
			obs := ensureReady(t, p, tenant)
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM([]byte(obs.CABundle))
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
				TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
			resp, err := client.Get(obs.Endpoint + "/strata/metrics")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("got %d with %.200q, want %d with %q", resp.StatusCode, body,
					tt.wantStatus, tt.wantBody)
			}
		})
	}
}

// rollTo reconciles the tenant until its nodes run the spec and answer
// ready, and checks that they restarted one at a time: no reconcile
// restarts more than one node, and every node restarts once.
func rollTo(t *testing.T, p *Provisioner, tenant *model.Tenant) provision.Observed {
	t.Helper()
	name := tenant.Metadata.Name
	before, last := pids(p, name), pids(p, name)
	sawRestarting := false
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); {
		obs := mustEnsure(t, p, tenant)
		now := pids(p, name)
		changed := 0
		for node, pid := range now {
			if last[node] != pid {
				changed++
			}
		}
		if changed > 1 {
			t.Fatalf("one reconcile restarted %d nodes (%v to %v), want one at a time",
				changed, last, now)
		}
		sawRestarting = sawRestarting || strings.Contains(obs.Restarting, "one at a time")
		last = now
		if obs.Ready && obs.Restarting == "" {
			for node, pid := range before {
				if now[node] == pid {
					t.Errorf("node %s still runs pid %d from before the change", node, pid)
				}
			}
			if !sawRestarting {
				t.Errorf("no reconcile said that nodes restart one at a time")
			}
			return obs
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("tenant %s did not settle within 90s", name)
	return provision.Observed{}
}

// metricsStatus GETs /strata/metrics from every node and returns the
// status codes.
func metricsStatus(t *testing.T, obs provision.Observed) []int {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(obs.CABundle))
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	var codes []int
	for _, n := range obs.Nodes {
		resp, err := client.Get(n.Endpoint + "/strata/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	return codes
}

// TestSwitchingMetricsRestartsNodesOneAtATime turns a running tenant's
// metrics on and off again: each time every node restarts, one at a
// time, and then serves /strata/metrics or stops serving it.
func TestSwitchingMetricsRestartsNodesOneAtATime(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("metrics-switch", 2, 2)
	obs := ensureReady(t, p, tenant)
	if got := metricsStatus(t, obs); !slices.Equal(got, []int{404, 404}) {
		t.Fatalf("before: got %v, want 404 from both nodes", got)
	}
	tenant.Spec.Monitoring = &model.TenantMonitoring{Prometheus: true}
	obs = rollTo(t, p, tenant)
	if got := metricsStatus(t, obs); !slices.Equal(got, []int{200, 200}) {
		t.Errorf("metrics on: got %v, want 200 from both nodes", got)
	}
	tenant.Spec.Monitoring = nil
	obs = rollTo(t, p, tenant)
	if got := metricsStatus(t, obs); !slices.Equal(got, []int{404, 404}) {
		t.Errorf("metrics off again: got %v, want 404 from both nodes", got)
	}
}
