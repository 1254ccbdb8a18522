package model

import "fmt"

// Limits of a pool's shape.
const (
	MaxServersPerPool = 32
	MaxDrivesPerNode  = 64
	// MinDriveSize keeps a drive large enough to hold its format and a
	// few objects.
	MinDriveSize = 64 << 20
	// DefaultDriveSize is used when a pool does not set one.
	DefaultDriveSize = "1Gi"
)

// Default fills in the server-side defaults of a cluster spec.
func (s *ClusterSpec) Default() {}

// Validate checks a cluster spec and returns every violation.
func (s *ClusterSpec) Validate() Violations {
	var v Violations
	switch s.Kind {
	case ClusterLocal, ClusterKubernetes, ClusterEKS:
	case "":
		v.Add("spec.kind", "is required: one of local, kubernetes, eks")
	default:
		v.Add("spec.kind", "%q is not a cluster kind: use local, kubernetes or eks", s.Kind)
	}
	return v
}

// Default fills in the server-side defaults of a tenant spec: region,
// pool drive sizes and media, and parity from the size of the first pool.
func (s *TenantSpec) Default() {
	if s.Region == "" {
		s.Region = DefaultRegion
	}
	for i := range s.Pools {
		p := &s.Pools[i]
		if p.DriveSize == "" {
			p.DriveSize = DefaultDriveSize
		}
		if p.Media == "" {
			p.Media = MediaSSD
		}
	}
	if s.Parity == 0 && len(s.Pools) > 0 {
		s.Parity = DefaultParity(s.Pools[0].SetSize())
	}
}

// SetSize is the number of drives in each of the pool's erasure sets: all
// its drives on a single server; on several servers, the drives cut into
// the fewest equal sets of at most MaxSetSize. It is 0 when the drives of
// several servers cannot be cut into sets of at least 2 drives.
func (p Pool) SetSize() int {
	_, size := erasureSets(p.Servers, p.DrivesPerServer)
	return size
}

// Validate checks a tenant spec and returns every violation. Call Default
// first: parity is checked against each pool's set size.
func (s *TenantSpec) Validate() Violations {
	var v Violations
	if s.Cluster == "" {
		v.Add("spec.cluster", "is required: name the cluster the tenant runs on")
	} else {
		ValidateName(&v, "spec.cluster", s.Cluster)
	}
	if !regionRE.MatchString(s.Region) {
		v.Add("spec.region", "%q is not a valid region: use lowercase letters, digits and "+
			"hyphens, such as us-east-1", s.Region)
	}
	if len(s.Pools) == 0 {
		v.Add("spec.pools", "at least one pool is required")
	}
	seen := map[string]bool{}
	for i, p := range s.Pools {
		field := fmt.Sprintf("spec.pools[%d]", i)
		p.validate(&v, field, s.Parity)
		if seen[p.Name] {
			v.Add(field+".name", "%q is used by another pool; pool names must be unique", p.Name)
		}
		seen[p.Name] = true
	}
	return v
}

func (p Pool) validate(v *Violations, field string, parity int) {
	ValidateName(v, field+".name", p.Name)
	if p.Servers < 1 || p.Servers > MaxServersPerPool {
		v.Add(field+".servers", "%d is out of range: use 1 to %d", p.Servers, MaxServersPerPool)
	}
	if p.DrivesPerServer < 1 || p.DrivesPerServer > MaxDrivesPerNode {
		v.Add(field+".drivesPerServer", "%d is out of range: use 1 to %d",
			p.DrivesPerServer, MaxDrivesPerNode)
	}
	total, n := p.Servers*p.DrivesPerServer, p.SetSize()
	switch {
	case total < 2:
		v.Add(field, "has %d drive; erasure coding needs at least 2 drives in a pool", total)
	case n < 2:
		v.Add(field, "%d drives on %d servers cannot be cut into equal erasure sets of 2 to "+
			"%d drives: use a drive count with a divisor in that range", total, p.Servers,
			MaxSetSize)
	case parity < 1 || parity > n/2:
		v.Add("spec.parity", "%d parity shards cannot keep quorum on pool %q, whose erasure "+
			"sets have %d drives: use 1 to %d", parity, p.Name, n, n/2)
	}
	size, err := ParseSize(p.DriveSize)
	switch {
	case err != nil:
		v.Add(field+".driveSize", "%v", err)
	case size < MinDriveSize:
		v.Add(field+".driveSize", "%q is too small: use at least 64Mi", p.DriveSize)
	}
	switch p.Media {
	case MediaNVMe, MediaSSD, MediaHDD:
	default:
		v.Add(field+".media", "%q is not a media kind: use nvme, ssd or hdd", p.Media)
	}
}

// Default fills in the server-side defaults of a bucket spec.
func (s *BucketSpec) Default() {}

// Validate checks a bucket spec and returns every violation.
func (s *BucketSpec) Validate() Violations {
	var v Violations
	validateTenantField(&v, s.Tenant, "bucket")
	s.validateSettings(&v)
	return v
}
