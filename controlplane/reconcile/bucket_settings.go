package reconcile

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
)

// Bucket settings are applied after the bucket exists and checked on every
// reconcile, which the periodic resync runs for every bucket. A setting the
// spec declares is read back from the tenant and put back when it differs;
// when the spec's generation had already been applied, the difference was
// made behind the control plane's back (through S3) and is reported as
// drift. A setting the spec never declared is S3's and is not touched; one
// that the spec declared before and no longer does (tags, policy) is
// removed from the bucket once.

// settingsResult is what one reconcile saw and did about a bucket's
// settings: the observed values after any repair, the settings it had to
// put back, and the first failure.
type settingsResult struct {
	versioning string
	tags       map[string]string
	policy     string
	// changed names the settings that differed from the spec and were put
	// back, such as "versioning" or "tags".
	changed []string
	err     error
}

// syncSettings brings the bucket's versioning, tags and policy to what b
// declares and reports what it saw. It stops at the first failure; a
// setting it did not get to keeps the value b's status had.
func syncSettings(ctx context.Context, c *s3.Client, b *model.Bucket,
	name string) settingsResult {
	res := settingsResult{versioning: b.Status.Versioning, tags: b.Status.Tags,
		policy: b.Status.Policy}
	v, err := res.syncVersioning(ctx, c, name, b.Spec.Versioning)
	if err != nil {
		res.err = err
		return res
	}
	res.versioning = v
	tags, err := res.syncTags(ctx, c, name, b.Spec.Tags, b.Status.Tags != nil)
	if err != nil {
		res.err = err
		return res
	}
	res.tags = tags
	res.policy, res.err = res.syncPolicy(ctx, c, name, b.Spec.Policy, b.Status.Policy != "")
	if res.err != nil {
		res.policy = b.Status.Policy
	}
	return res
}

// syncVersioning puts the declared versioning state when the tenant
// reports another one; "" declares nothing.
func (res *settingsResult) syncVersioning(ctx context.Context, c *s3.Client, name,
	want string) (string, error) {
	got, err := bucketVersioning(ctx, c, name)
	if err != nil || want == "" || got == want {
		return got, err
	}
	if err := putBucketVersioning(ctx, c, name, want); err != nil {
		return got, err
	}
	res.changed = append(res.changed, "versioning")
	return want, nil
}

// syncTags puts the declared tags when the tenant reports others. Nil
// declares nothing; when tags were declared before (wasManaged), they are
// removed from the bucket.
func (res *settingsResult) syncTags(ctx context.Context, c *s3.Client, name string,
	want map[string]string, wasManaged bool) (map[string]string, error) {
	if want == nil {
		if !wasManaged {
			return nil, nil
		}
		return nil, putBucketTags(ctx, c, name, nil)
	}
	got, err := bucketTags(ctx, c, name)
	if err != nil || maps.Equal(got, want) {
		return got, err
	}
	if err := putBucketTags(ctx, c, name, want); err != nil {
		return got, err
	}
	res.changed = append(res.changed, "tags")
	return maps.Clone(want), nil
}

// syncPolicy puts the declared policy when the tenant reports another one,
// compared as JSON values. "" declares nothing; when a policy was declared
// before (wasManaged), it is deleted from the bucket.
func (res *settingsResult) syncPolicy(ctx context.Context, c *s3.Client, name, want string,
	wasManaged bool) (string, error) {
	if want == "" {
		if !wasManaged {
			return "", nil
		}
		return "", putBucketPolicy(ctx, c, name, "")
	}
	got, err := bucketPolicy(ctx, c, name)
	if err != nil || model.PoliciesEqual(got, want) {
		return got, err
	}
	if err := putBucketPolicy(ctx, c, name, want); err != nil {
		return got, err
	}
	res.changed = append(res.changed, "policy")
	return want, nil
}

// settingsApplied reports whether b's current generation was applied
// before this reconcile, so that any difference found now is drift.
func settingsApplied(b *model.Bucket) bool {
	return b.Status.ObservedGeneration == b.Metadata.Generation &&
		b.Status.Conditions.IsTrue(model.ConditionReady)
}

// bucketSettingsStatus records the outcome of syncSettings: the observed
// settings, and Ready, Reconciling and Degraded.
func (c *Controller) bucketSettingsStatus(ctx context.Context, b *model.Bucket,
	res settingsResult) error {
	gen := b.Metadata.Generation
	ready, reason, msg, degraded := true, "Created", "the bucket exists on the tenant "+
		"with the declared settings", ""
	if res.err != nil {
		ready, reason, msg = false, settingsFailureReason(res.err), res.err.Error()
		degraded = msg
	}
	key := registry.BucketKey(b.Spec.Tenant, b.Metadata.Name)
	return setStatus(ctx, c.cfg.Store, model.KindBucket, key, func(b *model.Bucket) {
		b.Status.Versioning, b.Status.Tags, b.Status.Policy = res.versioning, res.tags,
			res.policy
		setConditions(&b.Status.Conditions, &b.Status.ObservedGeneration, gen, ready, reason,
			msg, degraded)
	})
}

// settingsFailureReason names why applying a setting failed; a tenant
// whose storaged does not serve the setting yet says NotImplemented.
func settingsFailureReason(err error) string {
	if s3Code(err) == "NotImplemented" {
		return "NotSupportedByTenant"
	}
	return failureReason(err)
}

// driftMessage says what the control plane put back at now: the bucket
// itself when it was recreated, and the settings it repaired.
func driftMessage(recreated bool, settings []string, now time.Time) string {
	var parts []string
	if recreated {
		parts = append(parts, "the bucket was missing on the tenant (deleted through S3?) "+
			"and was created again")
	}
	if len(settings) > 0 {
		parts = append(parts, fmt.Sprintf("%s differed from the spec on the tenant "+
			"(changed through S3?) and was put back", strings.Join(settings, ", ")))
	}
	return strings.Join(parts, "; ") + " at " + now.Format(time.RFC3339)
}
