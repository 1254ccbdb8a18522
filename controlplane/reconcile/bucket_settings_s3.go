package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
)

// The calls to a tenant for the bucket settings added with object lock,
// lifecycle expiration and quotas: the first two through S3, quotas
// through storaged's admin endpoint /strata/admin/quota.

// quotaPath is storaged's bucket quota endpoint.
const quotaPath = "/strata/admin/quota"

// maxAdminAnswer bounds the body read from an admin endpoint.
const maxAdminAnswer = 64 << 10

// adminClient calls storaged's /strata/admin/ endpoints of one tenant,
// signing each request with the tenant's root key. It is safe for
// concurrent use.
type adminClient struct {
	endpoint, region string
	creds            model.Credentials
	http             *http.Client
}

// adminError is an admin endpoint's answer other than 2xx.
type adminError struct {
	status  int
	message string
}

func (e *adminError) Error() string {
	return fmt.Sprintf("storaged answered %d: %s", e.status, e.message)
}

// do sends a signed request to path?query with body (nil for none) and
// decodes a JSON answer into out unless out is nil.
func (a *adminClient) do(ctx context.Context, method, path string, query url.Values,
	body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method,
		a.endpoint+path+"?"+query.Encode(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building the admin request %s %s: %w", method, path, err)
	}
	if err := provision.SignAdminRequest(ctx, req, body, a.creds, a.region); err != nil {
		return err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAdminAnswer))
	if err != nil {
		return fmt.Errorf("reading the answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return &adminError{status: resp.StatusCode, message: adminMessage(answer)}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("decoding the answer of %s %s: %w", method, path, err)
	}
	return nil
}

// adminMessage is the message of an admin endpoint's error answer: the
// JSON "error" field when there is one, else the body itself.
func adminMessage(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return e.Error
	}
	return string(bytes.TrimSpace(body))
}

// quotaLimits are a bucket's hard limits as storaged's quota endpoint
// takes and answers them; 0 is no limit. A storaged that predates the
// object limit answers no hardObjects.
type quotaLimits struct {
	HardBytes   int64 `json:"hardBytes,omitempty"`
	HardObjects int64 `json:"hardObjects,omitempty"`
}

// bucketQuota returns the bucket's hard limits, zero for none.
func bucketQuota(ctx context.Context, a *adminClient, bucket string) (quotaLimits, error) {
	var q quotaLimits
	err := a.do(ctx, http.MethodGet, quotaPath, url.Values{"bucket": {bucket}}, nil, &q)
	if err != nil {
		return quotaLimits{}, fmt.Errorf("reading the quota of bucket %s: %w", bucket, err)
	}
	return q, nil
}

// putBucketQuota sets the bucket's hard limits; zero limits remove the
// quota.
func putBucketQuota(ctx context.Context, a *adminClient, bucket string, q quotaLimits) error {
	query := url.Values{"bucket": {bucket}}
	var err error
	if q == (quotaLimits{}) {
		err = a.do(ctx, http.MethodDelete, quotaPath, query, nil, nil)
	} else {
		body, jerr := json.Marshal(q)
		if jerr != nil {
			return fmt.Errorf("encoding the quota of bucket %s: %w", bucket, jerr)
		}
		err = a.do(ctx, http.MethodPut, quotaPath, query, body, nil)
	}
	if err != nil {
		return fmt.Errorf("setting the quota of bucket %s to %d bytes and %d objects: %w",
			bucket, q.HardBytes, q.HardObjects, err)
	}
	return nil
}

// bucketObjectLock returns the bucket's object lock, nil when it has
// none; a lock without a default retention has no mode.
func bucketObjectLock(ctx context.Context, c *s3.Client,
	bucket string) (*model.BucketObjectLock, error) {
	out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{
		Bucket: aws.String(bucket),
	})
	if s3Code(err) == "ObjectLockConfigurationNotFoundError" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the object lock of bucket %s: %w", bucket, err)
	}
	cfg := out.ObjectLockConfiguration
	if cfg == nil || cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		return nil, nil
	}
	lock := &model.BucketObjectLock{}
	if cfg.Rule != nil && cfg.Rule.DefaultRetention != nil {
		d := cfg.Rule.DefaultRetention
		lock.Mode = string(d.Mode)
		lock.Days = int(aws.ToInt32(d.Days))
		lock.Years = int(aws.ToInt32(d.Years))
	}
	return lock, nil
}

// putBucketObjectLock enables object lock on the bucket with lock's
// default retention.
func putBucketObjectLock(ctx context.Context, c *s3.Client, bucket string,
	lock model.BucketObjectLock) error {
	d := &types.DefaultRetention{Mode: types.ObjectLockRetentionMode(lock.Mode)}
	if lock.Years != 0 {
		d.Years = aws.Int32(int32(lock.Years))
	} else {
		d.Days = aws.Int32(int32(lock.Days))
	}
	_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{
		Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{
			ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule:              &types.ObjectLockRule{DefaultRetention: d},
		},
	})
	if err != nil {
		return fmt.Errorf("setting the object lock of bucket %s: %w", bucket, err)
	}
	return nil
}

// bucketLifecycle returns the bucket's lifecycle rules as the model
// declares them, nil when it has none. exact is false when some rule does
// more or other than a model rule can say (a rule disabled, a filter on
// tags or sizes, another action), so that it cannot equal a declared one.
func bucketLifecycle(ctx context.Context, c *s3.Client,
	bucket string) (rules []model.BucketLifecycleRule, exact bool, err error) {
	out, err := c.GetBucketLifecycleConfiguration(ctx,
		&s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	if s3Code(err) == "NoSuchLifecycleConfiguration" {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the lifecycle of bucket %s: %w", bucket, err)
	}
	exact = true
	for _, r := range out.Rules {
		rule, ok := modelLifecycleRule(r)
		rules = append(rules, rule)
		exact = exact && ok
	}
	return rules, exact, nil
}

// modelLifecycleRule translates an S3 rule into a model rule, and reports
// whether the model rule says all the S3 rule does.
func modelLifecycleRule(r types.LifecycleRule) (model.BucketLifecycleRule, bool) {
	rule := model.BucketLifecycleRule{ID: aws.ToString(r.ID), Prefix: aws.ToString(r.Prefix)}
	ok := r.Status == types.ExpirationStatusEnabled && r.Expiration != nil &&
		r.Expiration.Days != nil && r.NoncurrentVersionExpiration == nil &&
		r.AbortIncompleteMultipartUpload == nil && len(r.Transitions) == 0 &&
		len(r.NoncurrentVersionTransitions) == 0
	if r.Expiration != nil {
		rule.ExpireDays = int(aws.ToInt32(r.Expiration.Days))
	}
	if f := r.Filter; f != nil {
		rule.Prefix = aws.ToString(f.Prefix)
		ok = ok && f.And == nil && f.Tag == nil && f.ObjectSizeGreaterThan == nil &&
			f.ObjectSizeLessThan == nil
	}
	return rule, ok
}

// putBucketLifecycle replaces the bucket's lifecycle rules, one S3 rule a
// model rule (ID, Filter Prefix, Expiration Days, Status Enabled); no
// rules deletes the configuration.
func putBucketLifecycle(ctx context.Context, c *s3.Client, bucket string,
	rules []model.BucketLifecycleRule) error {
	var err error
	if len(rules) == 0 {
		_, err = c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{
			Bucket: aws.String(bucket),
		})
	} else {
		_, err = c.PutBucketLifecycleConfiguration(ctx,
			&s3.PutBucketLifecycleConfigurationInput{
				Bucket:                 aws.String(bucket),
				LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: s3Rules(rules)},
			})
	}
	if err != nil {
		return fmt.Errorf("setting the lifecycle of bucket %s: %w", bucket, err)
	}
	return nil
}

// s3Rules is rules as S3 lifecycle rules.
func s3Rules(rules []model.BucketLifecycleRule) []types.LifecycleRule {
	out := make([]types.LifecycleRule, len(rules))
	for i, r := range rules {
		out[i] = types.LifecycleRule{
			ID:         aws.String(r.ID),
			Status:     types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String(r.Prefix)},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(int32(r.ExpireDays))},
		}
	}
	return out
}
