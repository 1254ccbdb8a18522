package main

import (
	"context"
	"fmt"
	"io"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
)

// offlineDrive stands for one of this node's drives that could not be
// opened. Every call fails with an error wrapping drive.ErrDriveOffline and
// the reason, locally and for the peers that reach it over the RPC.
type offlineDrive struct {
	name string
	err  error
}

var _ erasure.Drive = offlineDrive{}

func (o offlineDrive) fail() error {
	return fmt.Errorf("%w: %s: %w", drive.ErrDriveOffline, o.name, o.err)
}

func (o offlineDrive) String() string { return o.name }

func (o offlineDrive) DiskInfo(context.Context) (drive.DiskInfo, error) {
	return drive.DiskInfo{}, o.fail()
}

func (o offlineDrive) MakeVolume(context.Context, string) error { return o.fail() }

func (o offlineDrive) StatVolume(context.Context, string) (drive.VolumeInfo, error) {
	return drive.VolumeInfo{}, o.fail()
}

func (o offlineDrive) ListVolumes(context.Context) ([]drive.VolumeInfo, error) {
	return nil, o.fail()
}

func (o offlineDrive) DeleteVolume(context.Context, string, bool) error { return o.fail() }

func (o offlineDrive) CreateFile(context.Context, string, string) (drive.FileWriter, error) {
	return nil, o.fail()
}

func (o offlineDrive) WriteFile(context.Context, string, string, []byte) error { return o.fail() }

func (o offlineDrive) ReadFile(context.Context, string, string) ([]byte, error) {
	return nil, o.fail()
}

func (o offlineDrive) ReadRange(context.Context, string, string, int64,
	int64) (io.ReadCloser, error) {
	return nil, o.fail()
}

func (o offlineDrive) Rename(context.Context, string, string, string, string) error {
	return o.fail()
}

func (o offlineDrive) Delete(context.Context, string, string) error { return o.fail() }

func (o offlineDrive) List(context.Context, string, string) ([]string, error) {
	return nil, o.fail()
}
