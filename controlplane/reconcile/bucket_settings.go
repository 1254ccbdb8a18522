package reconcile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
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
// that the spec declared before and no longer does (tags, policy,
// lifecycle, quota) is removed from the bucket once. Object lock cannot be
// removed (the model refuses that), nor can versioning go back to unset.

// settingsResult is what one reconcile saw and did about a bucket's
// settings: the observed values after any repair, the settings it had to
// put back, and the first failure.
type settingsResult struct {
	versioning string
	tags       map[string]string
	policy     string
	objectLock *model.BucketObjectLock
	quota      *model.BucketQuota
	lifecycle  []model.BucketLifecycleRule
	// changed names the settings that differed from the spec and were put
	// back, such as "versioning" or "tags".
	changed []string
	err     error
}

// settingsStep brings one setting of b to what it declares and records
// what it saw in the result it is a method of.
type settingsStep func(ctx context.Context, cc cachedClient, b *model.Bucket,
	name string) error

// syncSettings brings the bucket's versioning, object lock, tags, policy,
// lifecycle and quota to what b declares, in that order (object lock
// needs versioning first), and reports what it saw. It stops at the first
// failure; a setting it did not get to keeps the value b's status had.
func syncSettings(ctx context.Context, cc cachedClient, b *model.Bucket,
	name string) settingsResult {
	res := &settingsResult{versioning: b.Status.Versioning, tags: b.Status.Tags,
		policy: b.Status.Policy, objectLock: b.Status.ObjectLock, quota: b.Status.Quota,
		lifecycle: b.Status.Lifecycle}
	for _, step := range []settingsStep{res.versioningStep, res.objectLockStep,
		res.tagsStep, res.policyStep, res.lifecycleStep, res.quotaStep} {
		if res.err = step(ctx, cc, b, name); res.err != nil {
			break
		}
	}
	return *res
}

// versioningStep syncs the bucket's versioning.
func (res *settingsResult) versioningStep(ctx context.Context, cc cachedClient,
	b *model.Bucket, name string) error {
	v, err := res.syncVersioning(ctx, cc.client, name, b.Spec.Versioning)
	if err == nil {
		res.versioning = v
	}
	return err
}

// tagsStep syncs the bucket's tags.
func (res *settingsResult) tagsStep(ctx context.Context, cc cachedClient, b *model.Bucket,
	name string) error {
	tags, err := res.syncTags(ctx, cc.client, name, b.Spec.Tags, b.Status.Tags != nil)
	if err == nil {
		res.tags = tags
	}
	return err
}

// policyStep syncs the bucket's policy.
func (res *settingsResult) policyStep(ctx context.Context, cc cachedClient,
	b *model.Bucket, name string) error {
	policy, err := res.syncPolicy(ctx, cc.client, name, b.Spec.Policy, b.Status.Policy != "")
	if err == nil {
		res.policy = policy
	}
	return err
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
		b.Status.ObjectLock, b.Status.Quota, b.Status.Lifecycle = res.objectLock, res.quota,
			res.lifecycle
		setConditions(&b.Status.Conditions, &b.Status.ObservedGeneration, gen, ready, reason,
			msg, degraded)
	})
}

// settingsFailureReason names why applying a setting failed; a tenant
// whose storaged does not serve the setting yet says NotImplemented (501
// from an admin endpoint).
func settingsFailureReason(err error) string {
	var ae *adminError
	if s3Code(err) == "NotImplemented" ||
		errors.As(err, &ae) && ae.status == http.StatusNotImplemented {
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

// objectLockStep enables object lock with the declared default retention
// when the tenant reports another one. Nil declares nothing: a lock
// cannot be taken off a bucket, so one left out is S3's.
func (res *settingsResult) objectLockStep(ctx context.Context, cc cachedClient,
	b *model.Bucket, name string) error {
	want := b.Spec.ObjectLock
	if want == nil {
		res.objectLock = nil
		return nil
	}
	got, err := bucketObjectLock(ctx, cc.client, name)
	if err != nil {
		return err
	}
	if got == nil || *got != *want {
		if err := putBucketObjectLock(ctx, cc.client, name, *want); err != nil {
			return err
		}
		res.changed = append(res.changed, "object lock")
		got = new(*want)
	}
	res.objectLock = got
	return nil
}

// lifecycleStep puts the declared lifecycle rules when the tenant reports
// others. No rules declare nothing; when rules were declared before, the
// bucket's lifecycle configuration is deleted.
func (res *settingsResult) lifecycleStep(ctx context.Context, cc cachedClient,
	b *model.Bucket, name string) error {
	want := b.Spec.Lifecycle
	if len(want) == 0 {
		if len(b.Status.Lifecycle) > 0 {
			if err := putBucketLifecycle(ctx, cc.client, name, nil); err != nil {
				return err
			}
		}
		res.lifecycle = nil
		return nil
	}
	got, exact, err := bucketLifecycle(ctx, cc.client, name)
	if err != nil {
		return err
	}
	if !exact || !slices.Equal(got, want) {
		if err := putBucketLifecycle(ctx, cc.client, name, want); err != nil {
			return err
		}
		res.changed = append(res.changed, "lifecycle")
		got = slices.Clone(want)
	}
	res.lifecycle = got
	return nil
}

// quotaStep puts the declared quota through storaged's admin endpoint when
// the tenant reports another one. Nil declares nothing; when a quota was
// declared before, it is removed from the bucket.
func (res *settingsResult) quotaStep(ctx context.Context, cc cachedClient,
	b *model.Bucket, name string) error {
	want := b.Spec.Quota
	if want == nil {
		if b.Status.Quota != nil {
			if err := putBucketQuota(ctx, cc.admin, name, quotaLimits{}); err != nil {
				return err
			}
		}
		res.quota = nil
		return nil
	}
	n, err := model.QuotaBytes(*want)
	if err != nil {
		return err
	}
	limits := quotaLimits{HardBytes: n, HardObjects: want.MaxObjects}
	got, err := bucketQuota(ctx, cc.admin, name)
	if err != nil {
		return err
	}
	if got != limits {
		if err := putBucketQuota(ctx, cc.admin, name, limits); err != nil {
			return err
		}
		res.changed = append(res.changed, "quota")
	}
	res.quota = &model.BucketQuota{MaxSize: want.MaxSize, MaxObjects: want.MaxObjects}
	return nil
}
