package reconcile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// Timing of tier checks.
const (
	// tierRecheck is how often an unreachable tier is checked again.
	tierRecheck = 5 * time.Second
	// tierCheckTimeout bounds one HeadBucket.
	tierCheckTimeout = 10 * time.Second
	// lastCheckedEvery is how old status.lastChecked may grow while the
	// outcome stays the same, so that a steady tier keeps its ETag
	// between checks.
	lastCheckedEvery = time.Minute
)

// tierCheck is the outcome of asking a tier's target for its bucket.
type tierCheck struct {
	reachable bool
	reason    string
	message   string
}

func (c *Controller) reconcileTier(ctx context.Context, key string) (time.Duration, error) {
	t, _, err := registry.Get[model.Tier, model.TierSpec](ctx, c.cfg.Store, model.KindTier, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if t.Metadata.DeleteTime != nil {
		// Nothing was made at the target, so there is nothing to undo.
		c.s3.forget(tierClientID(key))
		return 0, ignoreNotFound(c.cfg.Store.Delete(ctx, model.KindTier, key, store.AnyRevision))
	}
	check := c.checkTier(ctx, key, t)
	if err := c.tierStatus(ctx, key, t, check); err != nil {
		return 0, err
	}
	if !check.reachable {
		return tierRecheck, nil
	}
	return 0, nil
}

// checkTier asks the tier's target whether its bucket answers.
func (c *Controller) checkTier(ctx context.Context, key string, t *model.Tier) tierCheck {
	client, bucket, where, fail := c.tierClient(ctx, key, t)
	if fail != nil {
		return *fail
	}
	ctx, cancel := context.WithTimeout(ctx, tierCheckTimeout)
	defer cancel()
	_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err != nil {
		return tierCheck{reason: "Unreachable", message: fmt.Sprintf("bucket %q %s did not "+
			"answer HeadBucket with the tier's credentials: %s", bucket, where, headError(err))}
	}
	return tierCheck{reachable: true, reason: "Reachable",
		message: fmt.Sprintf("bucket %q %s answers with the tier's credentials", bucket, where)}
}

// tierClient returns the S3 client of the tier's target, the bucket and a
// phrase that says where it is; or why there is no client yet.
func (c *Controller) tierClient(ctx context.Context, key string,
	t *model.Tier) (*s3.Client, string, string, *tierCheck) {
	if t.Spec.S3 != nil {
		client, err := c.s3.forTier(key, t.Spec.S3)
		if err != nil {
			return nil, "", "", &tierCheck{reason: "InvalidTarget", message: err.Error()}
		}
		return client, t.Spec.S3.Bucket, "at " + t.Spec.S3.Endpoint, nil
	}
	tb := t.Spec.TenantBucket
	target, _, err := registry.Get[model.Tenant, model.TenantSpec](ctx, c.cfg.Store,
		model.KindTenant, tb.Tenant)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, "", "", &tierCheck{reason: "TargetTenantMissing",
			message: fmt.Sprintf("tenant %q does not exist: create it, or point the tier "+
				"at another target", tb.Tenant)}
	case err != nil:
		return nil, "", "", &tierCheck{reason: "StoreFailed", message: err.Error()}
	case !target.Status.Conditions.IsTrue(model.ConditionReady):
		return nil, "", "", &tierCheck{reason: "WaitingForTargetTenant",
			message: fmt.Sprintf("waiting for tenant %s to be ready", tb.Tenant)}
	}
	client, err := c.s3.get(target)
	if err != nil {
		return nil, "", "", &tierCheck{reason: "Unreachable", message: err.Error()}
	}
	return client, tb.Bucket, "of tenant " + tb.Tenant, nil
}

// headError says what a failed HeadBucket means. HeadBucket answers carry
// no body, so the HTTP status is all the S3 error there is.
func headError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return "the request failed: " + ue.Err.Error()
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() == 0 {
		return err.Error()
	}
	code := re.HTTPStatusCode()
	switch code {
	case http.StatusNotFound:
		return "404 NotFound: the bucket does not exist"
	case http.StatusForbidden:
		return "403 Forbidden: the credentials may not read the bucket"
	case http.StatusMovedPermanently:
		return "301 PermanentRedirect: the bucket is in another region; set the tier's region"
	}
	if s := s3Code(err); s != "" {
		return fmt.Sprintf("%d %s", code, s)
	}
	return fmt.Sprintf("%d %s", code, http.StatusText(code))
}

// tierStatus records a check. lastChecked moves when the outcome changes,
// and otherwise at most once every lastCheckedEvery.
func (c *Controller) tierStatus(ctx context.Context, key string, t *model.Tier,
	check tierCheck) error {
	gen := t.Metadata.Generation
	wasReachable := t.Status.Reachable
	now := time.Now().UTC()
	err := setStatus(ctx, c.cfg.Store, model.KindTier, key, func(t *model.Tier) {
		s := &t.Status
		if s.Reachable != check.reachable || now.Sub(s.LastChecked) >= lastCheckedEvery {
			s.LastChecked = now
		}
		s.Reachable = check.reachable
		setConditions(&s.Conditions, &s.ObservedGeneration, gen, check.reachable,
			check.reason, check.message, degradedIf(wasReachable && !check.reachable,
				check.message))
	})
	if err == nil && wasReachable != check.reachable {
		tenant, name := registry.SplitChildKey(key)
		c.cfg.Logger.Info("tier reachability changed", "tenant", tenant, "tier", name,
			"reachable", check.reachable, "reason", check.reason)
	}
	return err
}
