package api

import "github.com/strata-storage/strata/controlplane/model"

// admitBucketSettings refuses, with 422, the bucket settings that this
// build cannot carry out: those whose storage side is not built yet
// (default encryption, lifecycle transitions),
// versioning going back to unset once it was declared, object lock
// without versioning Enabled, and object lock removed once declared (old
// is nil on create).
func admitBucketSettings(old *model.Bucket, spec *model.BucketSpec) *apiError {
	v := spec.NotBuilt()
	var oldLock *model.BucketObjectLock
	if old != nil {
		model.ValidateVersioningChange(&v, "spec.versioning", old.Spec.Versioning,
			spec.Versioning)
		oldLock = old.Spec.ObjectLock
	}
	model.ValidateObjectLockChange(&v, "spec.objectLock", oldLock, spec)
	if len(v) > 0 {
		return unprocessable(v)
	}
	return nil
}
