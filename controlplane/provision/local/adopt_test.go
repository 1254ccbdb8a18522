package local

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFormats makes node directories under dir/nodes, each with drives
// d0.. whose format files say what formats gives ("" leaves the drive
// unformatted, "SET:i" formats it as drive i of SET, anything else is
// written as the file's content).
func writeFormats(t *testing.T, dir string, nodes map[string][]string) {
	t.Helper()
	for node, formats := range nodes {
		nodeDir := filepath.Join(dir, "nodes", node)
		if err := os.MkdirAll(nodeDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(nodeDir, "node.json"), []byte(`{"port":1}`),
			0o600); err != nil {
			t.Fatal(err)
		}
		for i, f := range formats {
			d := filepath.Join(nodeDir, "drives", fmt.Sprintf("d%d", i))
			if err := os.MkdirAll(filepath.Join(d, ".strata.sys"), 0o700); err != nil {
				t.Fatal(err)
			}
			content := f
			if set, index, ok := strings.Cut(f, ":"); ok {
				content = fmt.Sprintf(`{"version":1,"driveID":"D%d","setID":%q,"index":%s}`,
					i, set, index)
			}
			if f != "" {
				if err := os.WriteFile(filepath.Join(d, formatPath), []byte(content),
					0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func TestSingleNodeTopologyReadsTheDrivesSetID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		nodes map[string][]string
		want  string // the pools as name:setIds:drives, or the error's words
	}{
		{"no node is a zero topology", nil, ""},
		{"a node that never ran is a zero topology",
			map[string][]string{"pool-0-0": {"", "", "", ""}}, ""},
		{"a node that ran is its pool with the drives' set ID",
			map[string][]string{"pool-0-0": {"S1:0", "S1:1", "S1:2", "S1:3"}},
			"pool-0:[S1]:4"},
		{"a wiped drive is skipped",
			map[string][]string{"pool-0-0": {"", "S1:1", "S1:2", "S1:3"}}, "pool-0:[S1]:4"},
		{"drives of two sets are refused",
			map[string][]string{"pool-0-0": {"S1:0", "S2:1", "S1:2", "S1:3"}},
			`error: belongs to set "S2", the node's other drives to "S1"`},
		{"a drive in another place is refused",
			map[string][]string{"pool-0-0": {"S1:1", "S1:0", "S1:2", "S1:3"}},
			"error: is formatted as drive 1 of its set, not 0"},
		{"a damaged format is refused",
			map[string][]string{"pool-0-0": {"{", "S1:1", "S1:2", "S1:3"}},
			"error: is not a drive format storaged writes"},
		{"two nodes with data are refused", map[string][]string{
			"pool-0-0": {"S1:0", "S1:1"}, "pool-1-0": {"S2:0", "S2:1"}},
			"error: 2 nodes hold data"},
		{"a node that is not a pool's first is refused",
			map[string][]string{"pool-0-1": {"S1:0", "S1:1"}},
			"error: only a tenant's single node (named <pool>-0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFormats(t, dir, tt.nodes)
			topo, err := loadTopology(dir)
			got := ""
			switch {
			case err != nil:
				got = "error: " + err.Error()
			case topo.ID != "" || len(topo.Pools) > 1:
				got = fmt.Sprintf("unexpected %+v", topo)
			case len(topo.Pools) == 1:
				p := topo.Pools[0]
				got = fmt.Sprintf("%s:%v:%d", p.Name, p.SetIDs, len(p.Nodes[0].Drives))
			}
			words, wantErr := strings.CutPrefix(tt.want, "error: ")
			matches := got == tt.want
			if wantErr {
				matches = strings.HasPrefix(got, "error: ") && strings.Contains(got, words)
			}
			if !matches {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestATopologyFileIsTheRecordOnceWritten checks that a tenant with a
// topology file is never taken for a single node, whatever its drives say.
func TestATopologyFileIsTheRecordOnceWritten(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFormats(t, dir, map[string][]string{"pool-0-0": {"S1:0", "S1:1"}})
	if err := os.WriteFile(filepath.Join(dir, topologyFile),
		[]byte(`{"version":1,"id":"file","parity":1,"pools":[{"name":"pool-0","nodes":[]}]}`),
		0o600); err != nil {
		t.Fatal(err)
	}
	topo, err := loadTopology(dir)
	if err != nil || topo.ID != "file" || len(topo.Pools) != 1 || topo.Pools[0].SetIDs != nil {
		t.Errorf("got %+v (%v), want the file's topology", topo, err)
	}
}
