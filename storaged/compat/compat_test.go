package compat

import (
	"testing"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// client is one S3 client of the matrix.
type client struct {
	name string                                                     // as the subtest names it
	gaps func() []gap                                               // its expected gaps
	run  func(*testing.T, *teststoraged.Server) (string, []outcome) // its label and outcomes
}

func clients() []client {
	return []client{
		{"the AWS CLI", awsCLIGaps, runAWSCLI},
		{"s3cmd", s3cmdGaps, runS3cmd},
		{"rclone", rcloneGaps, runRclone},
		{"minio-go's API", minioAPIGaps, runMinioAPI},
		{"minio-go's functional suite", minioSuiteGaps, runMinioSuite},
	}
}

func TestClientCompatibility(t *testing.T) {
	cs := clients()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.name
	}
	m := newMatrix(names)
	t.Run("each client", func(t *testing.T) {
		for i, c := range cs {
			t.Run(c.name+" fails only where its gap table says", func(t *testing.T) {
				t.Parallel()
				srv := teststoraged.Start(t, storagedBin)
				label, outcomes := c.run(t, srv)
				r := judge(label, outcomes, c.gaps())
				for _, p := range r.problems {
					t.Error(p)
				}
				m.set(i, r)
			})
		}
	})
	table := m.markdown()
	t.Log("S3 client compatibility matrix:\n" + table)
	if !*updateREADME {
		return
	}
	if t.Failed() {
		t.Fatal("not writing README.md: fix the failures above first")
	}
	writeREADME(t, table)
}
