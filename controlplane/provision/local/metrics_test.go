package local

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
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
