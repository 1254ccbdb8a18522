package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/atomicfile"
)

// A tenant's access keys reach its nodes as a file, in the shape storaged
// reads with --access-keys-file: {"keys":[{name, accessKeyId,
// secretAccessKey, policy}]}, mode 0600. The tenant's directory keeps the
// current set (access-keys.json), each node's directory a copy that the
// node runs with; a node is given the tenant's copy when it starts, and a
// running node gets SIGHUP when its copy changes, on which storaged reads
// the file again.
//
// Each node's access-keys.applied records which set its process serves
// with ("pid sha256-of-the-file"), so that a set is signalled once per
// process and not on every reconcile.
const (
	accessKeysFile    = "access-keys.json"
	accessKeysApplied = "access-keys.applied"
	accessKeysFlag    = "--access-keys-file"
)

// accessKeysDoc is the access-keys file.
type accessKeysDoc struct {
	Keys []model.AccessKeyGrant `json:"keys"`
}

// encodeAccessKeys renders grants as an access-keys file, ordered by name
// so that the same set always makes the same bytes. A grant whose policy
// is not JSON is an error: storaged would refuse the whole file.
func encodeAccessKeys(grants []model.AccessKeyGrant) ([]byte, error) {
	doc := accessKeysDoc{Keys: slices.Clone(grants)}
	if doc.Keys == nil {
		doc.Keys = []model.AccessKeyGrant{}
	}
	slices.SortFunc(doc.Keys, func(a, b model.AccessKeyGrant) int {
		return strings.Compare(a.Name, b.Name)
	})
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding access keys: %w", err)
	}
	return b, nil
}

// emptyAccessKeys is the access-keys file of a tenant that has none.
const emptyAccessKeys = `{"keys":[]}`

// PublishAccessKeys writes the tenant's access-keys file, then each node's
// copy, and signals each running node whose copy it has not signalled yet.
// It implements reconcile.AccessKeyPublisher.
func (p *Provisioner) PublishAccessKeys(_ context.Context, t *model.Tenant,
	grants []model.AccessKeyGrant) ([]string, error) {
	doc, err := encodeAccessKeys(grants)
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	dir := p.TenantDir(t.Metadata.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("local: creating %s: %w", dir, err)
	}
	if err := writeIfChanged(filepath.Join(dir, accessKeysFile), doc); err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	nodes, err := p.tenantNodes(t)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, n := range nodes {
		serving, err := n.publishAccessKeys(doc)
		if err != nil {
			return nil, fmt.Errorf("local: node %s: %w", n.name, err)
		}
		if !serving {
			pending = append(pending, n.name)
		}
	}
	return pending, nil
}

// publishAccessKeys gives the node doc and makes its process, if one runs,
// reload it. It reports whether the node's process serves with doc. A node
// that was never prepared is left alone: it is given the tenant's file when
// it starts.
func (n *node) publishAccessKeys(doc []byte) (bool, error) {
	if _, err := os.Stat(n.dir); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err := writeIfChanged(filepath.Join(n.dir, accessKeysFile), doc); err != nil {
		return false, err
	}
	pid, running := livePID(n.dir)
	if !running || !readsAccessKeys(pid) {
		return false, nil
	}
	mark := appliedMark(pid, doc)
	if have, err := os.ReadFile(filepath.Join(n.dir, accessKeysApplied)); err == nil &&
		string(have) == mark {
		return true, nil
	}
	n.reload()
	return true, n.markApplied(mark)
}

// writeIfChanged writes doc to path, mode 0600, unless path holds it
// already, so that a reconcile that changes nothing writes nothing.
func writeIfChanged(path string, doc []byte) error {
	if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, doc) {
		return nil
	}
	if err := atomicfile.Write(path, doc, 0o600); err != nil {
		return fmt.Errorf("writing access keys: %w", err)
	}
	return nil
}

// readsAccessKeys reports whether process pid was started with an
// access-keys file; one started before the control plane passed it must
// be restarted before it can take access keys.
func readsAccessKeys(pid int) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(cmdline, []byte(accessKeysFlag+"\x00"))
}

// stageAccessKeys gives a node that is about to start the tenant's current
// access keys, or an empty set when the tenant has none yet, and returns
// what it wrote.
func (n *node) stageAccessKeys() ([]byte, error) {
	tenantFile := filepath.Join(filepath.Dir(filepath.Dir(n.dir)), accessKeysFile)
	doc, err := os.ReadFile(tenantFile)
	if errors.Is(err, os.ErrNotExist) {
		doc, err = []byte(emptyAccessKeys), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading access keys: %w", err)
	}
	err = atomicfile.Write(filepath.Join(n.dir, accessKeysFile), doc, 0o600)
	if err != nil {
		return nil, fmt.Errorf("writing access keys: %w", err)
	}
	return doc, nil
}

// appliedMark is what access-keys.applied holds once process pid serves
// with doc.
func appliedMark(pid int, doc []byte) string {
	return fmt.Sprintf("%d %x", pid, sha256.Sum256(doc))
}

func (n *node) markApplied(mark string) error {
	err := atomicfile.Write(filepath.Join(n.dir, accessKeysApplied), []byte(mark), 0o600)
	if err != nil {
		return fmt.Errorf("recording access keys: %w", err)
	}
	return nil
}
