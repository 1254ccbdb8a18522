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

// The control plane reads two of storaged's admin endpoints: the healing
// progress (GET /strata/admin/heal) and the pools with their decommission
// (GET /strata/admin/pools). Both demand a SigV4 signature by the
// tenant's root key.

// healReport is the part of storaged's GET /strata/admin/heal that the
// tenant's status shows.
type healReport struct {
	Scanned  uint64 `json:"scanned"`
	Healed   uint64 `json:"healed"`
	Failed   uint64 `json:"failed"`
	Unhealed uint64 `json:"unhealed"`
	Sets     []struct {
		Drives []struct {
			Drive    string            `json:"drive"`
			State    string            `json:"state"`
			Done     int64             `json:"done"`
			Total    int64             `json:"total"`
			Failures []json.RawMessage `json:"failures"`
		} `json:"drives"`
	} `json:"sets"`
}

// healing asks the node for its healing progress.
func (n *node) healing(ctx context.Context, ca *pki.CA,
	creds model.Credentials) (*healReport, error) {
	var rep healReport
	if err := n.adminGet(ctx, ca, creds, "heal", &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// adminGet GETs /strata/admin/<what> from the node into out, signing the
// request with the tenant's root key as storaged's admin endpoints demand.
func (n *node) adminGet(ctx context.Context, ca *pki.CA, creds model.Credentials,
	what string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		n.endpoint()+"/strata/admin/"+what, nil)
	if err != nil {
		return err
	}
	if err := provision.SignAdminRequest(ctx, req, nil, creds, n.region); err != nil {
		return err
	}
	client := &http.Client{Timeout: readyTimeout, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: trustPool(ca), ServerName: n.name,
			MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
	}}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("node %s answered /strata/admin/%s with %s", n.name, what,
			resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding node %s's /strata/admin/%s: %w", n.name, what, err)
	}
	return nil
}

// poolsReport is storaged's GET /strata/admin/pools: each pool's capacity
// and, on the drain runner, the progress of its decommission.
type poolsReport struct {
	Pools []poolReport `json:"pools"`
}

type poolReport struct {
	Name         string                  `json:"name"`
	ID           string                  `json:"id"`
	TotalBytes   int64                   `json:"totalBytes"`
	FreeBytes    int64                   `json:"freeBytes"`
	Decommission *model.PoolDecommission `json:"decommission"`
}

// find returns the report of the pool with the given ID, or nil.
func (r *poolsReport) find(id string) *poolReport {
	if r == nil {
		return nil
	}
	for i := range r.Pools {
		if r.Pools[i].ID == id {
			return &r.Pools[i]
		}
	}
	return nil
}

// poolsReport asks the node for its pools.
func (n *node) poolsReport(ctx context.Context, ca *pki.CA,
	creds model.Credentials) (*poolsReport, error) {
	var rep poolsReport
	if err := n.adminGet(ctx, ca, creds, "pools", &rep); err != nil {
		return nil, err
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
	h.ObjectsUnhealed += int64(rep.Unhealed)
	for _, s := range rep.Sets {
		for _, d := range s.Drives {
			h.DriveJobs = append(h.DriveJobs, model.DriveHealJob{Node: n.name,
				Drive: filepath.Base(d.Drive), State: d.State, Done: d.Done, Total: d.Total,
				Failed: len(d.Failures)})
		}
	}
}
