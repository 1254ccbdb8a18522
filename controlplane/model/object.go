package model

// Object is implemented by pointers to every resource type, so that code
// handling any resource (the API, the store codec, the reconcilers) reaches
// its parts the same way.
type Object[S any] interface {
	// Meta returns the resource's metadata for reading and writing.
	Meta() *Metadata
	// SpecRef returns the resource's spec for reading and writing.
	SpecRef() *S
	// Conds returns the resource's status conditions for reading and
	// writing.
	Conds() *Conditions
	// ObservedGen returns the status' observedGeneration for reading and
	// writing.
	ObservedGen() *int64
}

var (
	_ Object[ClusterSpec] = (*Cluster)(nil)
	_ Object[TenantSpec]  = (*Tenant)(nil)
	_ Object[BucketSpec]  = (*Bucket)(nil)
	_ Object[KeySpec]     = (*Key)(nil)
	_ Object[TierSpec]    = (*Tier)(nil)
)

// Meta implements Object.
func (c *Cluster) Meta() *Metadata { return &c.Metadata }

// SpecRef implements Object.
func (c *Cluster) SpecRef() *ClusterSpec { return &c.Spec }

// Conds implements Object.
func (c *Cluster) Conds() *Conditions { return &c.Status.Conditions }

// ObservedGen implements Object.
func (c *Cluster) ObservedGen() *int64 { return &c.Status.ObservedGeneration }

// Meta implements Object.
func (t *Tenant) Meta() *Metadata { return &t.Metadata }

// SpecRef implements Object.
func (t *Tenant) SpecRef() *TenantSpec { return &t.Spec }

// Conds implements Object.
func (t *Tenant) Conds() *Conditions { return &t.Status.Conditions }

// ObservedGen implements Object.
func (t *Tenant) ObservedGen() *int64 { return &t.Status.ObservedGeneration }

// Meta implements Object.
func (b *Bucket) Meta() *Metadata { return &b.Metadata }

// SpecRef implements Object.
func (b *Bucket) SpecRef() *BucketSpec { return &b.Spec }

// Conds implements Object.
func (b *Bucket) Conds() *Conditions { return &b.Status.Conditions }

// ObservedGen implements Object.
func (b *Bucket) ObservedGen() *int64 { return &b.Status.ObservedGeneration }

// Meta implements Object.
func (k *Key) Meta() *Metadata { return &k.Metadata }

// SpecRef implements Object.
func (k *Key) SpecRef() *KeySpec { return &k.Spec }

// Conds implements Object.
func (k *Key) Conds() *Conditions { return &k.Status.Conditions }

// ObservedGen implements Object.
func (k *Key) ObservedGen() *int64 { return &k.Status.ObservedGeneration }

// Meta implements Object.
func (t *Tier) Meta() *Metadata { return &t.Metadata }

// SpecRef implements Object.
func (t *Tier) SpecRef() *TierSpec { return &t.Spec }

// Conds implements Object.
func (t *Tier) Conds() *Conditions { return &t.Status.Conditions }

// ObservedGen implements Object.
func (t *Tier) ObservedGen() *int64 { return &t.Status.ObservedGeneration }
