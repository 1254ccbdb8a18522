package local

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
)

// healReport is the part of storaged's GET /strata/admin/heal that the
// tenant's status shows.
type healReport struct {
	Scanned uint64 `json:"scanned"`
	Healed  uint64 `json:"healed"`
	Failed  uint64 `json:"failed"`
	Sets    []struct {
		Drives []struct {
			Drive    string            `json:"drive"`
			State    string            `json:"state"`
			Done     int64             `json:"done"`
			Total    int64             `json:"total"`
			Failures []json.RawMessage `json:"failures"`
		} `json:"drives"`
	} `json:"sets"`
}

// healing asks the node for its healing progress, signing the request
// with the tenant's root key as storaged's admin endpoint demands.
func (n *node) healing(ctx context.Context, ca *pki.CA,
	creds model.Credentials) (*healReport, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		n.endpoint()+"/strata/admin/heal", nil)
	if err != nil {
		return nil, err
	}
	if err := provision.SignAdminRequest(ctx, req, nil, creds, n.region); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: readyTimeout, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: trustPool(ca), ServerName: n.name,
			MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
	}}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("node %s answered the heal status with %s", n.name, resp.Status)
	}
	var rep healReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return nil, fmt.Errorf("decoding node %s's heal status: %w", n.name, err)
	}
	return &rep, nil
}

// addHealing adds one node's healing report to what the tenant shows.
func addHealing(obs *provision.Observed, n *node, rep *healReport) {
	if obs.Healing == nil {
		obs.Healing = &model.TenantHealing{}
	}
	h := obs.Healing
	h.ObjectsScanned += int64(rep.Scanned)
	h.ObjectsHealed += int64(rep.Healed)
	h.ObjectsFailed += int64(rep.Failed)
	for _, s := range rep.Sets {
		for _, d := range s.Drives {
			h.DriveJobs = append(h.DriveJobs, model.DriveHealJob{Node: n.name,
				Drive: filepath.Base(d.Drive), State: d.State, Done: d.Done, Total: d.Total,
				Failed: len(d.Failures)})
		}
	}
}
