package api

import "github.com/strata-storage/strata/controlplane/model"

// admitBucketSettings refuses, with 422, the bucket settings that this
// build cannot carry out: those whose storage side is not built yet
// (object lock, default encryption, quota, lifecycle), and versioning
// going back to unset once it was declared (old is nil on create).
func admitBucketSettings(old *model.Bucket, spec *model.BucketSpec) *apiError {
	v := spec.NotBuilt()
	if old != nil {
		model.ValidateVersioningChange(&v, "spec.versioning", old.Spec.Versioning,
			spec.Versioning)
	}
	if len(v) > 0 {
		return unprocessable(v)
	}
	return nil
}
