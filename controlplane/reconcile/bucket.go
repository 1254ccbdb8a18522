package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// Condition types a bucket reports besides the common ones.
const (
	// ConditionDriftRepaired is True after the control plane put back
	// something that was changed behind its back (the bucket itself, or
	// one of its settings: versioning, object lock, tags, policy,
	// lifecycle or quota); the reason is BucketRecreated or
	// SettingsRepaired and the message says what and when.
	ConditionDriftRepaired = "DriftRepaired"
)

// waitTenantPoll is how often a bucket waiting for its tenant is checked.
const waitTenantPoll = time.Second

func (c *Controller) reconcileBucket(ctx context.Context, key string) (time.Duration, error) {
	b, _, err := registry.Get[model.Bucket, model.BucketSpec](ctx, c.cfg.Store,
		model.KindBucket, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	tenant, name := registry.SplitBucketKey(key)
	t, _, err := registry.Get[model.Tenant, model.TenantSpec](ctx, c.cfg.Store,
		model.KindTenant, tenant)
	if errors.Is(err, store.ErrNotFound) && b.Metadata.DeleteTime != nil {
		return 0, ignoreNotFound(c.cfg.Store.Delete(ctx, model.KindBucket, key, store.AnyRevision))
	} else if err != nil {
		return 0, err
	}
	if !t.Status.Conditions.IsTrue(model.ConditionReady) {
		msg := fmt.Sprintf("waiting for tenant %s to be ready", tenant)
		return waitTenantPoll, c.bucketStatus(ctx, b, false, "WaitingForTenant", msg, "")
	}
	cc, err := c.s3.tenant(t)
	if err != nil {
		return 0, c.bucketStatus(ctx, b, false, "TenantUnreachable", err.Error(), err.Error())
	}
	if b.Metadata.DeleteTime != nil {
		return c.deleteBucket(ctx, cc.client, b, key, name)
	}
	return 0, c.ensureBucket(ctx, cc, b, name)
}

func (c *Controller) ensureBucket(ctx context.Context, cc cachedClient, b *model.Bucket,
	name string) error {
	created, err := createBucket(ctx, cc.client, name)
	if err != nil {
		return errors.Join(err, c.bucketStatus(ctx, b, false, failureReason(err),
			err.Error(), err.Error()))
	}
	recreated := created && b.Status.Conditions.IsTrue(model.ConditionReady)
	c.logCreated(b, created, recreated)
	res := syncSettings(ctx, cc, b, name)
	if err := c.reportDrift(ctx, b, recreated, res.changed); err != nil {
		return err
	}
	return errors.Join(res.err, c.bucketSettingsStatus(ctx, b, res))
}

// logCreated logs that the bucket was created, or created again after it
// went missing on the tenant.
func (c *Controller) logCreated(b *model.Bucket, created, recreated bool) {
	switch {
	case recreated:
		c.cfg.Logger.Warn("bucket was missing on its tenant; created it again",
			"bucket", b.Metadata.Name, "tenant", b.Spec.Tenant)
	case created:
		c.cfg.Logger.Info("bucket created", "bucket", b.Metadata.Name, "tenant", b.Spec.Tenant)
	}
}

// reportDrift logs and records, in the DriftRepaired condition, what this
// reconcile put back: the bucket when it was recreated, and the settings
// that changed when b's generation had been applied before (otherwise they
// were a new spec being applied, not drift).
func (c *Controller) reportDrift(ctx context.Context, b *model.Bucket, recreated bool,
	changed []string) error {
	if !settingsApplied(b) {
		changed = nil
	}
	if len(changed) > 0 {
		c.cfg.Logger.Warn("bucket settings differed from the spec on the tenant; put them back",
			"bucket", b.Metadata.Name, "tenant", b.Spec.Tenant,
			"settings", strings.Join(changed, ","))
	}
	if !recreated && len(changed) == 0 {
		return nil
	}
	return c.recordDriftRepair(ctx, b, recreated, changed)
}

// createBucket creates the bucket on the tenant unless it exists, and
// reports whether it created it.
func createBucket(ctx context.Context, client *s3.Client, name string) (bool, error) {
	exists, err := bucketExists(ctx, client, name)
	if err != nil || exists {
		return false, err
	}
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	if err != nil && s3Code(err) != "BucketAlreadyOwnedByYou" {
		return false, fmt.Errorf("creating bucket %s on the tenant: %w", name, err)
	}
	return err == nil, nil
}

// recordDriftRepair sets the DriftRepaired condition: the control plane
// created the bucket again, or put back the named settings, or both.
func (c *Controller) recordDriftRepair(ctx context.Context, b *model.Bucket, recreated bool,
	settings []string) error {
	gen := b.Metadata.Generation
	reason := "SettingsRepaired"
	if recreated {
		reason = "BucketRecreated"
	}
	key := registry.BucketKey(b.Spec.Tenant, b.Metadata.Name)
	return setStatus(ctx, c.cfg.Store, model.KindBucket, key, func(b *model.Bucket) {
		now := time.Now().UTC()
		b.Status.Conditions = b.Status.Conditions.Set(model.Condition{
			Type: ConditionDriftRepaired, Status: model.StatusTrue, Reason: reason,
			Message:            driftMessage(recreated, settings, now),
			ObservedGeneration: gen,
		}, now)
	})
}

func (c *Controller) deleteBucket(ctx context.Context, client *s3.Client, b *model.Bucket,
	key, name string) (time.Duration, error) {
	if b.Spec.ForceDestroy {
		if err := emptyBucket(ctx, client, name); err != nil {
			return 0, err
		}
	}
	_, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	switch s3Code(err) {
	case "":
		if err != nil {
			return 0, err
		}
	case "NoSuchBucket":
	case "BucketNotEmpty":
		return 0, c.refuseDelete(ctx, key)
	default:
		return 0, fmt.Errorf("deleting bucket %s on the tenant: %w", name, err)
	}
	c.cfg.Logger.Info("bucket deleted", "bucket", name, "tenant", b.Spec.Tenant)
	return 0, ignoreNotFound(c.cfg.Store.Delete(ctx, model.KindBucket, key, store.AnyRevision))
}

// refuseDelete keeps a bucket that still holds objects: it stops the
// delete and says why, so that a client waiting for the delete learns at
// once instead of waiting for a timeout.
func (c *Controller) refuseDelete(ctx context.Context, key string) error {
	_, err := registry.Update[model.Bucket, model.BucketSpec](ctx, c.cfg.Store, model.KindBucket,
		key, func(b *model.Bucket) error {
			now := time.Now().UTC()
			b.Metadata.DeleteTime = nil
			b.Status.Conditions = b.Status.Conditions.Set(model.Condition{
				Type: model.ConditionDeleteRefused, Status: model.StatusTrue,
				Reason: "BucketNotEmpty",
				Message: "the bucket still holds objects, so it was kept: delete the " +
					"objects, or set forceDestroy (force_destroy in Terraform) and apply, " +
					"then delete the bucket again",
				ObservedGeneration: b.Metadata.Generation,
			}, now)
			return nil
		})
	c.cfg.Logger.Info("bucket delete refused: it holds objects", "bucket", key)
	return ignoreNotFound(err)
}

func (c *Controller) bucketStatus(ctx context.Context, b *model.Bucket, ready bool, reason,
	msg, degraded string) error {
	gen := b.Metadata.Generation
	key := registry.BucketKey(b.Spec.Tenant, b.Metadata.Name)
	return setStatus(ctx, c.cfg.Store, model.KindBucket, key, func(b *model.Bucket) {
		setConditions(&b.Status.Conditions, &b.Status.ObservedGeneration, gen, ready, reason,
			msg, degraded)
	})
}
