package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
)

// poolOf returns a pool of nodes node-0.. with drives /n<i>/d<j> each.
func poolOf(nodes, drives int) poolFile {
	p := poolFile{Name: "pool-0"}
	for i := range nodes {
		n := nodeFile{Name: fmt.Sprintf("node-%d", i),
			Endpoint: fmt.Sprintf("https://127.0.0.1:%d", 9000+i)}
		for j := range drives {
			n.Drives = append(n.Drives, fmt.Sprintf("/n%d/d%d", i, j))
		}
		p.Nodes = append(p.Nodes, n)
	}
	return p
}

// refs names a set's drives as node:path.
func refs(s setLayout) string {
	out := make([]string, len(s.drives))
	for i, d := range s.drives {
		out[i] = strings.TrimPrefix(d.node, "node-") + d.path[strings.LastIndex(d.path, "/"):]
	}
	return strings.Join(out, " ")
}

func TestLayoutSetsSpreadsSetsOverNodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		nodes, drives int
		want          []string // each set's drives as node/drive
	}{
		{"four nodes of two drives make one set of eight, nodes interleaved", 4, 2,
			[]string{"0/d0 1/d0 2/d0 3/d0 0/d1 1/d1 2/d1 3/d1"}},
		{"two nodes of two drives make one set of four", 2, 2,
			[]string{"0/d0 1/d0 0/d1 1/d1"}},
		{"one node keeps its drives in order", 1, 3, []string{"0/d0 0/d1 0/d2"}},
		{"four nodes of eight drives make two sets of sixteen, four drives a node each", 4, 8,
			[]string{
				"0/d0 1/d0 2/d0 3/d0 0/d1 1/d1 2/d1 3/d1 0/d2 1/d2 2/d2 3/d2 0/d3 1/d3 2/d3 3/d3",
				"0/d4 1/d4 2/d4 3/d4 0/d5 1/d5 2/d5 3/d5 0/d6 1/d6 2/d6 3/d6 0/d7 1/d7 2/d7 3/d7",
			}},
		{"six nodes of three drives make two sets of nine", 6, 3,
			[]string{
				"0/d0 1/d0 2/d0 3/d0 4/d0 5/d0 0/d1 1/d1 2/d1",
				"3/d1 4/d1 5/d1 0/d2 1/d2 2/d2 3/d2 4/d2 5/d2",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sets, err := layoutSets("dep", poolOf(tt.nodes, tt.drives))
			if err != nil {
				t.Fatal(err)
			}
			if len(sets) != len(tt.want) {
				t.Fatalf("got %d sets, want %d", len(sets), len(tt.want))
			}
			for i, s := range sets {
				if got := refs(s); got != tt.want[i] || s.id != fmt.Sprintf("dep-%d", i) {
					t.Errorf("set %d: got %s %q, want dep-%d %q", i, s.id, got, i, tt.want[i])
				}
			}
		})
	}
}

func TestSetCountRefusesUncuttablePools(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 17, 19, 37} {
		if k, err := setCount(n); err == nil {
			t.Errorf("setCount(%d) = %d, want an error", n, k)
		}
	}
}

// addPool returns a change that adds a pool whose nodes are named after
// it, with endpoints of their own.
func addPool(name, id string, decommission bool, nodes, drives int) func(f *topologyFile) {
	return func(f *topologyFile) {
		p := poolOf(nodes, drives)
		p.Name, p.ID, p.Decommission = name, id, decommission
		for i := range p.Nodes {
			p.Nodes[i].Name = fmt.Sprintf("%s-%d", name, i)
			p.Nodes[i].Endpoint = fmt.Sprintf("https://127.0.0.2:%d", 9000+100*len(f.Pools)+i)
		}
		f.Pools = append(f.Pools, p)
	}
}

func TestTopologyLaysOutEveryPool(t *testing.T) {
	t.Parallel()
	f := validTopology()
	f.Pools[0].Decommission = true
	addPool("pool-1", "p1", false, 4, 2)(&f)
	addPool("pool-2", "p2", false, 4, 8)(&f)
	topo, err := f.validate("pool-1-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"dep-1-0", "p1-0", "p2-0", "p2-1"}
	var got []string
	for _, s := range topo.sets {
		got = append(got, s.id)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sets: got %v, want %v", got, want)
	}
	pools := fmt.Sprintf("%+v", topo.pools)
	wantPools := "[{name:pool-0 id:dep-1 decommission:true nodes:[node-0 node-1 node-2 node-3] " +
		"first:0 end:1 drives:8} {name:pool-1 id:p1 decommission:false " +
		"nodes:[pool-1-0 pool-1-1 pool-1-2 pool-1-3] first:1 end:2 drives:8} {name:pool-2 id:p2 " +
		"decommission:false nodes:[pool-2-0 pool-2-1 pool-2-2 pool-2-3] first:2 end:4 drives:32}]"
	if pools != wantPools {
		t.Errorf("pools:\ngot  %s\nwant %s", pools, wantPools)
	}
	if r := topo.drainRunner(); r != "pool-1-0" {
		t.Errorf("drain runner: got %s, want pool-1-0", r)
	}
	if d := strings.Join(topo.localDrives(), ","); d != "/n1/d0,/n1/d1" {
		t.Errorf("local drives: got %s, want pool-1-1's", d)
	}
	if len(topo.nodes) != 12 {
		t.Errorf("got %d nodes, want 12", len(topo.nodes))
	}
}

func TestTopologyReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	f := validTopology()
	addPool("pool-1", "", false, 2, 2)(&f)
	addPool("pool-1", "bad id", false, 2, 2)(&f)
	f.Pools[0].Nodes[0].Endpoint = "http://x"
	_, err := f.validate("node-0")
	for _, want := range []string{"may omit it", `"pool-1" is used twice`, `"bad id"`,
		"https://host:port"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to mention %q", err, want)
		}
	}
}

// validTopology is a topology of four nodes of two drives, parity 4.
func validTopology() topologyFile {
	return topologyFile{Version: 1, ID: "dep-1", Parity: 4, Pools: []poolFile{poolOf(4, 2)}}
}

func TestTopologyValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(f *topologyFile)
		self   string
		want   string // "" when valid
	}{
		{"a valid topology is accepted", func(*topologyFile) {}, "node-2", ""},
		{
			"another version is refused",
			func(f *topologyFile) { f.Version = 2 },
			"node-0",
			"version 2",
		},
		{"a bad ID is refused", func(f *topologyFile) { f.ID = "a/b" }, "node-0", "id"},
		{
			"no pool is refused",
			func(f *topologyFile) { f.Pools = nil },
			"node-0",
			"one pool is required",
		},
		{"a second pool with its own id is accepted", addPool("pool-1", "p1", false, 4, 2),
			"node-2", ""},
		{"a second pool without an id is refused", addPool("pool-1", "", false, 2, 2),
			"node-0", "only the tenant's first pool may omit it"},
		{"a pool id used twice is refused", func(f *topologyFile) {
			addPool("pool-1", "p1", false, 2, 2)(f)
			addPool("pool-2", "p1", false, 2, 2)(f)
		}, "node-0", `pools[2].id "p1" is used twice`},
		{"a pool id equal to the file's id is refused", addPool("pool-1", "dep-1", false, 2, 2),
			"node-0", "is used twice"},
		{"a pool name used twice is refused", addPool("pool-0", "p1", false, 2, 2),
			"node-0", `pools[1].name "pool-0" is used twice`},
		{"a bad pool id is refused", addPool("pool-1", "a b", false, 2, 2), "node-0",
			`pools[1].id "a b"`},
		{"a node name used in two pools is refused", func(f *topologyFile) {
			addPool("pool-1", "p1", false, 2, 2)(f)
			f.Pools[1].Nodes[0].Name = "node-0"
		}, "node-0", `pools[1].nodes[0].name "node-0" is used twice`},
		{"an endpoint used in two pools is refused", func(f *topologyFile) {
			addPool("pool-1", "p1", false, 2, 2)(f)
			f.Pools[1].Nodes[0].Endpoint = f.Pools[0].Nodes[3].Endpoint
		}, "node-0", "used twice"},
		{"every pool decommissioned is refused", func(f *topologyFile) {
			addPool("pool-1", "p1", true, 2, 2)(f)
			f.Pools[0].Decommission = true
		}, "node-0", "keep at least one in service"},
		{"parity must fit every pool", addPool("pool-1", "p1", false, 1, 2), "node-0",
			`pool "pool-1"'s erasure sets of 2 drives: use 1 to 1`},
		{
			"a node named twice is refused",
			func(f *topologyFile) { f.Pools[0].Nodes[1].Name = "node-0" },
			"node-0",
			"used twice",
		},
		{"an endpoint used twice is refused",
			func(f *topologyFile) { f.Pools[0].Nodes[1].Endpoint = f.Pools[0].Nodes[0].Endpoint },
			"node-0", "used twice"},
		{"a plain HTTP endpoint is refused",
			func(f *topologyFile) { f.Pools[0].Nodes[1].Endpoint = "http://127.0.0.1:1" },
			"node-0", "https://host:port"},
		{"an endpoint without a port is refused",
			func(f *topologyFile) { f.Pools[0].Nodes[1].Endpoint = "https://node-1" },
			"node-0", "https://host:port"},
		{"nodes with different drive counts are refused",
			func(f *topologyFile) { f.Pools[0].Nodes[2].Drives = f.Pools[0].Nodes[2].Drives[:1] },
			"node-0", "same number"},
		{"a relative drive path is refused",
			func(f *topologyFile) { f.Pools[0].Nodes[0].Drives[1] = "data/d1" },
			"node-0", "not an absolute path"},
		{"a drive listed twice is refused",
			func(f *topologyFile) { f.Pools[0].Nodes[0].Drives[1] = "/n0/d0/" },
			"node-0", "listed twice"},
		{"a node name not in the topology is refused", func(*topologyFile) {}, "node-9",
			`"node-9" is not a node`},
		{"parity over half a set is refused", func(f *topologyFile) { f.Parity = 5 }, "node-0",
			"use 1 to 4"},
		{"parity zero is refused", func(f *topologyFile) { f.Parity = 0 }, "node-0", "use 1 to 4"},
		{"drives that cannot be cut into sets are refused",
			func(f *topologyFile) { f.Pools[0] = poolOf(17, 1); f.Parity = 1 }, "node-0",
			"cannot be cut"},
		{"a pool that names its sets is accepted beside a pool with an id", func(f *topologyFile) {
			f.Pools[0].SetIDs = []string{"Q5LDSINGLE"}
			addPool("pool-1", "p1", false, 4, 2)(f)
		}, "node-2", ""},
		{"setIds together with id is refused", func(f *topologyFile) {
			addPool("pool-1", "p1", false, 4, 2)(f)
			f.Pools[1].SetIDs = []string{"Q5LDSINGLE"}
		}, "node-0", "pools[1]: give either id or setIds, not both"},
		{"setIds of the wrong count is refused",
			func(f *topologyFile) { f.Pools[0].SetIDs = []string{"a", "b"} }, "node-0",
			"setIds names 2 sets, but the pool's 8 drives are cut into 1 set(s) of 8"},
		{"a bad set ID is refused",
			func(f *topologyFile) { f.Pools[0].SetIDs = []string{"a:b"} }, "node-0",
			`pools[0].setIds: "a:b"`},
		{"a set ID that another pool derives is refused", func(f *topologyFile) {
			f.Pools[0].SetIDs = []string{"p1-0"}
			addPool("pool-1", "p1", false, 4, 2)(f)
		}, "node-0", `pools[1]: set ID "p1-0" is also a set of pools[0]`},
		{"a pool naming its sets counts as the pool without an id", func(f *topologyFile) {
			f.Pools[0].SetIDs = []string{"Q5LDSINGLE"}
			addPool("pool-1", "", false, 4, 2)(f)
		}, "node-0", "2 pools have no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := validTopology()
			tt.change(&f)
			topo, err := f.validate(tt.self)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			case tt.want == "" && tt.self == "node-2" &&
				strings.Join(topo.localDrives(), ",") != "/n2/d0,/n2/d1":
				t.Errorf("local drives: got %v, want node-2's", topo.localDrives())
			}
		})
	}
}

func TestLoadTopologyRefusesUnknownFields(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(validTopology())
	if err != nil {
		t.Fatal(err)
	}
	data = append(data[:len(data)-1], []byte(`,"sets":3}`)...)
	path := filepath.Join(t.TempDir(), "topology.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadTopology(path, "node-0"); err == nil ||
		!strings.Contains(err.Error(), "sets") {
		t.Errorf("got %v, want an error naming the unknown field", err)
	}
}

// TestSetIDsAdoptASingleNodesDrives formats drives as a single node does
// (storaged --drive, which picks the set ID), then lays them out as the
// first pool of a topology that names that set, beside a pool added later:
// the set keeps the --drive order, and every drive opens under the
// identity the topology gives it.
func TestSetIDsAdoptASingleNodesDrives(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	var dirs []string
	for j := range 4 {
		dirs = append(dirs, filepath.Join(root, fmt.Sprintf("d%d", j)))
	}
	if _, err := erasure.OpenLocalDrives("", dirs); err != nil {
		t.Fatal(err)
	}
	format, err := drive.ReadFormat(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	f := topologyFile{Version: 1, ID: "newfileid", Parity: 2, Pools: []poolFile{{
		Name: "pool-0", SetIDs: []string{format.SetID}, Nodes: []nodeFile{{
			Name: "pool-0-0", Endpoint: "https://127.0.0.1:9000", Drives: dirs}}}}}
	addPool("pool-1", "p1", false, 2, 2)(&f)
	topo, err := f.validate("pool-0-0")
	if err != nil {
		t.Fatal(err)
	}
	first := topo.sets[0]
	if first.id != format.SetID || len(first.drives) != len(dirs) {
		t.Fatalf("first set: got %s of %d drives, want %s of %d", first.id,
			len(first.drives), format.SetID, len(dirs))
	}
	if p := topo.pools[0]; p.id != "newfileid" || p.first != 0 || p.end != 1 {
		t.Errorf("first pool: got %+v, want the file's id and set 0", p)
	}
	for j, ref := range first.drives {
		if ref.path != dirs[j] {
			t.Errorf("drive %d of the set: got %s, want --drive's %s", j, ref.path, dirs[j])
		}
		d, err := openLocalDrive(ref.path, drive.Identity{SetID: first.id, Index: j},
			hclog.NewNullLogger())
		if err != nil || erasure.IsOffline(d) {
			t.Errorf("opening %s as drive %d of %s: got %v, want it open", ref.path, j,
				first.id, err)
		}
	}
	if got := topo.sets[1].id; got != "p1-0" {
		t.Errorf("second pool's set: got %s, want p1-0", got)
	}
}
