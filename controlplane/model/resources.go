package model

// Kinds of resources, as they appear in paths, errors and the store.
const (
	KindCluster = "cluster"
	KindTenant  = "tenant"
	KindBucket  = "bucket"
)

// Cluster kinds.
const (
	// ClusterLocal runs storage nodes as processes on the control plane's
	// own machine.
	ClusterLocal = "local"
	// ClusterKubernetes runs them in a Kubernetes cluster.
	ClusterKubernetes = "kubernetes"
	// ClusterEKS runs them on Amazon EKS node groups.
	ClusterEKS = "eks"
)

// Cluster is where a tenant's storage nodes run.
type Cluster struct {
	Metadata Metadata      `json:"metadata"`
	Spec     ClusterSpec   `json:"spec"`
	Status   ClusterStatus `json:"status"`
}

// ClusterSpec is what the user declares about a cluster.
type ClusterSpec struct {
	// Kind is local, kubernetes or eks. It cannot change.
	Kind string `json:"kind"`
}

// ClusterStatus is what the control plane observed about a cluster.
type ClusterStatus struct {
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
	Conditions         Conditions `json:"conditions,omitempty"`
	Reachable          bool       `json:"reachable"`
}

// Tenant is one S3 service: a set of storage nodes with their own
// endpoint, certificates and root credentials.
type Tenant struct {
	Metadata Metadata     `json:"metadata"`
	Spec     TenantSpec   `json:"spec"`
	Status   TenantStatus `json:"status"`
}

// TenantSpec is what the user declares about a tenant.
type TenantSpec struct {
	// Cluster names the cluster the nodes run on. It cannot change.
	Cluster string `json:"cluster"`
	// Region is the S3 region the tenant answers for; default us-east-1.
	Region string `json:"region,omitempty"`
	// Parity is the number of parity shards per erasure set; the default
	// follows the set size (2 up to 5 drives, 3 for 6 or 7, 4 from 8).
	Parity int `json:"parity,omitempty"`
	// Pools are the groups of servers that hold the tenant's drives.
	Pools []Pool `json:"pools"`
}

// Media kinds of a pool's drives.
const (
	MediaNVMe = "nvme"
	MediaSSD  = "ssd"
	MediaHDD  = "hdd"
)

// Pool is a group of identical servers.
type Pool struct {
	// Name is unique within the tenant.
	Name string `json:"name"`
	// Servers is the number of storage nodes in the pool.
	Servers int `json:"servers"`
	// DrivesPerServer is the number of drives on each node.
	DrivesPerServer int `json:"drivesPerServer"`
	// DriveSize is the size of each drive, such as "10Gi"; on a local
	// cluster it is advisory. Default "1Gi".
	DriveSize string `json:"driveSize,omitempty"`
	// Media is nvme, ssd or hdd; default ssd.
	Media string `json:"media,omitempty"`
}

// Credentials are an S3 access key pair.
type Credentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Node is one storage node of a tenant as the control plane sees it.
type Node struct {
	Name     string `json:"name"`
	Pool     string `json:"pool"`
	Endpoint string `json:"endpoint"`
	// State is Running, Starting or Stopped.
	State        string `json:"state"`
	DrivesOnline int    `json:"drivesOnline"`
}

// TenantStatus is what the control plane observed about a tenant.
type TenantStatus struct {
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
	Conditions         Conditions `json:"conditions,omitempty"`
	// Endpoint is the S3 endpoint URL.
	Endpoint string `json:"endpoint,omitempty"`
	// CABundle is the PEM of the CA that signed the endpoint's certificate.
	CABundle string `json:"caBundle,omitempty"`
	// RootCredentials are the tenant's root S3 keys; the tenant's owner
	// may read them.
	RootCredentials *Credentials `json:"rootCredentials,omitempty"`
	Nodes           []Node       `json:"nodes,omitempty"`
	DrivesOnline    int          `json:"drivesOnline"`
	DrivesOffline   int          `json:"drivesOffline"`
	// CertificateExpiry is when the endpoint's certificate expires.
	CertificateExpiry string `json:"certificateExpiry,omitempty"`
}

// Bucket is an S3 bucket of a tenant.
type Bucket struct {
	Metadata Metadata     `json:"metadata"`
	Spec     BucketSpec   `json:"spec"`
	Status   BucketStatus `json:"status"`
}

// BucketSpec is what the user declares about a bucket.
type BucketSpec struct {
	// Tenant names the tenant. The server fills it in from the path; a body
	// that names another tenant is refused.
	Tenant string `json:"tenant"`
	// ForceDestroy lets a delete remove the bucket's objects first;
	// without it, deleting a bucket that holds objects waits, with a
	// Degraded condition, until the objects are gone.
	ForceDestroy bool `json:"forceDestroy,omitempty"`
}

// BucketStatus is what the control plane observed about a bucket.
type BucketStatus struct {
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
	Conditions         Conditions `json:"conditions,omitempty"`
}
