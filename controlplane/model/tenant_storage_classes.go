package model

// TenantStorageClasses sets how the tenant stores the S3 storage classes
// other than STANDARD, which always gets the tenant's parity. An object
// keeps the parity it was written with: a change applies to new objects,
// and the nodes restart one at a time to take it.
type TenantStorageClasses struct {
	// ReducedRedundancy is the coding of objects written with
	// x-amz-storage-class REDUCED_REDUNDANCY. Without it they get the
	// tenant's parity and still keep and report their class, as S3
	// clients expect.
	ReducedRedundancy *StorageClassCoding `json:"reducedRedundancy,omitempty"`
}

// StorageClassCoding is the erasure coding of one storage class.
type StorageClassCoding struct {
	// Parity is the number of parity shards per object: 1 to the tenant's
	// parity. The data shards are the rest of the erasure set's drives.
	Parity int `json:"parity"`
}

// ReducedRedundancyParity returns the parity of REDUCED_REDUNDANCY
// objects, 0 when the tenant sets none (they get the tenant's parity).
func (s *TenantSpec) ReducedRedundancyParity() int {
	if s.StorageClasses == nil || s.StorageClasses.ReducedRedundancy == nil {
		return 0
	}
	return s.StorageClasses.ReducedRedundancy.Parity
}

// ValidateStorageClasses checks the storage classes against the tenant's
// parity and returns every violation; the API and the provider both call
// it, after Default. Reduced redundancy may not be stronger than the
// tenant's own parity, nor have none.
func (s *TenantSpec) ValidateStorageClasses() Violations {
	var v Violations
	if s.StorageClasses == nil || s.StorageClasses.ReducedRedundancy == nil {
		return v
	}
	const field = "spec.storageClasses.reducedRedundancy.parity"
	if p := s.StorageClasses.ReducedRedundancy.Parity; p < 1 || p > s.Parity {
		v.Add(field, "%d is out of range: use 1 to the tenant's parity %d, or leave "+
			"reducedRedundancy out to store such objects with parity %d", p, s.Parity, s.Parity)
	}
	return v
}
