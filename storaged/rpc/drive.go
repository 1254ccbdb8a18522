package rpc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
)

// RemoteDrive is one drive of a peer, used through the RPC. It implements
// erasure.Drive with the same contract as a local drive: errors wrap the
// drive package's sentinels, and a peer that cannot be reached makes every
// method fail with drive.ErrDriveOffline. Its methods are safe for
// concurrent use.
type RemoteDrive struct {
	p  *Peer
	id string
}

var _ erasure.Drive = (*RemoteDrive)(nil)

// String names the drive as node/id.
func (d *RemoteDrive) String() string { return d.p.cfg.Node + "/" + d.id }

// query starts the query of a call with the drive's ID and the given
// name/value pairs.
func (d *RemoteDrive) query(kv ...string) url.Values {
	q := url.Values{paramDrive: {d.id}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

// where names an operation on the drive in errors.
func (d *RemoteDrive) where(op string, args ...string) string {
	s := op + " on " + d.String()
	for _, a := range args {
		s += " " + a
	}
	return s
}

// DiskInfo returns the space of the file system under the remote drive.
func (d *RemoteDrive) DiskInfo(ctx context.Context) (drive.DiskInfo, error) {
	var w wireDiskInfo
	if err := d.p.getJSON(ctx, opDiskInfo, d.query(), d.where("disk info"), &w); err != nil {
		return drive.DiskInfo{}, err
	}
	return drive.DiskInfo{Total: w.Total, Free: w.Free, Used: w.Used}, nil
}

// MakeVolume creates an empty volume.
func (d *RemoteDrive) MakeVolume(ctx context.Context, vol string) error {
	return d.p.exec(ctx, http.MethodPost, opMakeVolume, d.query(paramVol, vol),
		d.where("making volume", vol))
}

// StatVolume describes a volume.
func (d *RemoteDrive) StatVolume(ctx context.Context, vol string) (drive.VolumeInfo, error) {
	var w wireVolume
	err := d.p.getJSON(ctx, opStatVolume, d.query(paramVol, vol), d.where("stat volume", vol), &w)
	if err != nil {
		return drive.VolumeInfo{}, err
	}
	return fromWireVolume(w), nil
}

// ListVolumes returns every volume in name order.
func (d *RemoteDrive) ListVolumes(ctx context.Context) ([]drive.VolumeInfo, error) {
	var w []wireVolume
	if err := d.p.getJSON(ctx, opListVols, d.query(), d.where("listing volumes"), &w); err != nil {
		return nil, err
	}
	out := make([]drive.VolumeInfo, len(w))
	for i, v := range w {
		out[i] = fromWireVolume(v)
	}
	return out, nil
}

// DeleteVolume removes a volume, with everything in it when force is true.
func (d *RemoteDrive) DeleteVolume(ctx context.Context, vol string, force bool) error {
	q := d.query(paramVol, vol, paramForce, strconv.FormatBool(force))
	return d.p.exec(ctx, http.MethodPost, opDeleteVol, q, d.where("deleting volume", vol))
}

// WriteFile replaces the file at p with data.
func (d *RemoteDrive) WriteFile(ctx context.Context, vol, p string, data []byte) error {
	q := d.query(paramVol, vol, paramPath, p)
	return d.p.call(ctx, http.MethodPut, opWrite, q, bytes.NewReader(data),
		d.where("writing", vol+"/"+p), nil)
}

// ReadFile returns a whole file; the caller owns the slice.
func (d *RemoteDrive) ReadFile(ctx context.Context, vol, p string) ([]byte, error) {
	var data []byte
	q := d.query(paramVol, vol, paramPath, p)
	err := d.p.call(ctx, http.MethodGet, opRead, q, nil, d.where("reading", vol+"/"+p),
		func(resp *http.Response) error {
			var err error
			data, err = io.ReadAll(resp.Body)
			return err
		})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// Rename moves a file or directory tree, possibly across volumes.
func (d *RemoteDrive) Rename(ctx context.Context, srcVol, srcPath, dstVol, dstPath string) error {
	q := d.query(paramVol, srcVol, paramPath, srcPath, paramDstVol, dstVol, paramDstPath, dstPath)
	return d.p.exec(ctx, http.MethodPost, opRename, q,
		d.where("renaming", srcVol+"/"+srcPath, "to", dstVol+"/"+dstPath))
}

// Delete removes a file or directory tree; a missing path is no error.
func (d *RemoteDrive) Delete(ctx context.Context, vol, p string) error {
	return d.p.exec(ctx, http.MethodPost, opDelete, d.query(paramVol, vol, paramPath, p),
		d.where("deleting", vol+"/"+p))
}

// List returns the names in a directory, directories with a trailing
// slash.
func (d *RemoteDrive) List(ctx context.Context, vol, dir string) ([]string, error) {
	var names []string
	q := d.query(paramVol, vol, paramPath, dir)
	if err := d.p.getJSON(ctx, opList, q, d.where("listing", vol+"/"+dir), &names); err != nil {
		return nil, err
	}
	return names, nil
}

// ReadRange streams length bytes of a file from offset (to the end when
// length is negative). The caller closes the reader. A read that makes no
// progress for the peer's stall timeout fails, and so does a stream that
// ends short.
func (d *RemoteDrive) ReadRange(ctx context.Context, vol, p string,
	offset, length int64) (io.ReadCloser, error) {
	where := d.where("reading", fmt.Sprintf("%s/%s [%d+%d]", vol, p, offset, length))
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	q := d.query(paramVol, vol, paramPath, p,
		paramOffset, strconv.FormatInt(offset, 10), paramLength, strconv.FormatInt(length, 10))
	s := newStall(ctx, d.p.cfg.StallTimeout)
	req, err := d.p.newRequest(s.ctx, http.MethodGet, opReadRange, q, nil)
	if err != nil {
		s.stop()
		return nil, err
	}
	resp, err := d.p.roundTrip(ctx, req, where)
	if err != nil {
		s.stop()
		return nil, err
	}
	return &rangeReader{d: d, ctx: ctx, where: where, body: resp.Body, stall: s}, nil
}

// CreateFile starts streaming a new file to the peer. The file appears at
// p only when the writer's Commit succeeds. Errors of the peer (a missing
// volume, a full drive) show on Write or Commit.
func (d *RemoteDrive) CreateFile(ctx context.Context, vol, p string) (drive.FileWriter, error) {
	where := d.where("creating", vol+"/"+p)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	w, err := d.startUpload(ctx, d.query(paramVol, vol, paramPath, p), where)
	if err != nil {
		return nil, err // a nil interface, not an interface holding a nil *uploadWriter
	}
	return w, nil
}
