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
	// TLS says where the S3 endpoint's certificate comes from; nil is the
	// tenant's internal CA.
	TLS *TenantTLS `json:"tls,omitempty"`
	// KMS binds the tenant to a Key for server-side encryption. Not built
	// yet: refused.
	KMS *TenantKMS `json:"kms,omitempty"`
	// Audit sends the S3 audit log to targets. Not built yet: refused.
	Audit *TenantAudit `json:"audit,omitempty"`
	// LogTargets receive storaged's logs. Not built yet: refused.
	LogTargets []LogTarget `json:"logTargets,omitempty"`
	// Monitoring says how metrics are exposed.
	Monitoring *TenantMonitoring `json:"monitoring,omitempty"`
	// StorageClasses sets the parity of the S3 storage classes other than
	// STANDARD; nil stores them all with Parity.
	StorageClasses *TenantStorageClasses `json:"storageClasses,omitempty"`
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
	// CABundle is the PEM of the CAs that clients should trust for the
	// endpoint: the internal CA (both the old and the new one while it
	// rotates), or the provided certificate's CA bundle.
	CABundle string `json:"caBundle,omitempty"`
	// RootCredentials are the tenant's root S3 keys; the tenant's owner
	// may read them.
	RootCredentials *Credentials `json:"rootCredentials,omitempty"`
	Nodes           []Node       `json:"nodes,omitempty"`
	DrivesOnline    int          `json:"drivesOnline"`
	DrivesOffline   int          `json:"drivesOffline"`
	// CertificateExpiry is when the endpoint's certificate expires.
	CertificateExpiry string `json:"certificateExpiry,omitempty"`
	// CAExpiry is when the tenant's internal CA expires; it is rotated
	// before then.
	CAExpiry string `json:"caExpiry,omitempty"`
	// Healing is what the nodes report of their healing: objects checked
	// and repaired, and the jobs that rebuild new or replaced drives.
	Healing *TenantHealing `json:"healing,omitempty"`
	// Pools are the tenant's pools as its nodes run them: those of the
	// spec, and those removed from it that are still being decommissioned.
	Pools []PoolStatus `json:"pools,omitempty"`
}

// TenantHealing adds up the healing of a tenant's nodes.
type TenantHealing struct {
	// ObjectsScanned counts the objects checked (after degraded reads, by
	// the background scanner, by sweeps and by drive jobs); ObjectsHealed
	// those where a drive was repaired; ObjectsFailed the heals that could
	// not make an object whole (a counter: an object counts again at each
	// failed try, and stays counted once a retry heals it).
	// ObjectsUnhealed is how many objects are unhealed now: their latest
	// heal failed and no later one succeeded.
	ObjectsScanned  int64 `json:"objectsScanned"`
	ObjectsHealed   int64 `json:"objectsHealed"`
	ObjectsFailed   int64 `json:"objectsFailed"`
	ObjectsUnhealed int64 `json:"objectsUnhealed"`
	// DriveJobs are the jobs that rebuild a new or replaced drive.
	DriveJobs []DriveHealJob `json:"driveJobs,omitempty"`
}

// DriveHealJob is the rebuilding of one drive.
type DriveHealJob struct {
	Node  string `json:"node"`
	Drive string `json:"drive"`
	// State is queued, running, done or failed.
	State string `json:"state"`
	// Done counts the objects checked of Total; Failed those that could
	// not be healed onto the drive.
	Done   int64 `json:"done"`
	Total  int64 `json:"total"`
	Failed int   `json:"failed"`
}

// Pending reports whether the job has not finished.
func (j DriveHealJob) Pending() bool { return j.State == "queued" || j.State == "running" }

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
	// Versioning is "" (never declared: S3's to manage), Enabled or
	// Suspended. Once declared it cannot go back to "", as S3 cannot
	// return a bucket to never having had versioning.
	Versioning string `json:"versioning,omitempty"`
	// Tags are the bucket's S3 tags. Nil leaves them to S3 (or, when they
	// were declared before, removes them from the bucket); an empty map
	// declares that the bucket has no tags.
	Tags map[string]string `json:"tags,omitzero"`
	// Policy is the bucket policy, a JSON IAM policy document. Empty leaves
	// it to S3 (or, when it was declared before, deletes it).
	Policy string `json:"policy,omitempty"`
	// ObjectLock is the bucket's object lock with its default retention.
	// Nil leaves it to S3; once declared it cannot be removed, and it needs
	// Versioning Enabled.
	ObjectLock *BucketObjectLock `json:"objectLock,omitempty"`
	// Encryption is the bucket's default encryption. Not built yet: refused.
	Encryption *BucketEncryption `json:"encryption,omitempty"`
	// Quota limits the bucket's size. Nil leaves it to the tenant's root
	// key (or, when it was declared before, removes the quota).
	Quota *BucketQuota `json:"quota,omitempty"`
	// Lifecycle holds the bucket's expiration rules. Empty leaves them to
	// S3 (or, when they were declared before, deletes them from the
	// bucket). Transitions are not built yet: refused.
	Lifecycle []BucketLifecycleRule `json:"lifecycle,omitempty"`
}

// BucketStatus is what the control plane observed about a bucket.
type BucketStatus struct {
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
	Conditions         Conditions `json:"conditions,omitempty"`
	// Versioning is the versioning state the tenant reported at the last
	// reconcile: "" (never set), Enabled or Suspended.
	Versioning string `json:"versioning,omitempty"`
	// Tags are the tags the tenant reported at the last reconcile, kept
	// only while the spec declares tags; nil otherwise.
	Tags map[string]string `json:"tags,omitzero"`
	// Policy is the policy the tenant reported at the last reconcile, kept
	// only while the spec declares one.
	Policy string `json:"policy,omitempty"`
	// ObjectLock is the object lock the tenant reported at the last
	// reconcile, kept only while the spec declares one.
	ObjectLock *BucketObjectLock `json:"objectLock,omitempty"`
	// Quota is the quota the tenant reported at the last reconcile, kept
	// only while the spec declares one; maxSize is spelled as declared.
	Quota *BucketQuota `json:"quota,omitempty"`
	// Lifecycle holds the rules the tenant reported at the last reconcile,
	// kept only while the spec declares rules.
	Lifecycle []BucketLifecycleRule `json:"lifecycle,omitempty"`
}
