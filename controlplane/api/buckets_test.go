package api

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
)

func TestBucketSettingRefusals(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestServer(t)
	mustTenant(t, c)
	const path = "/v1/tenants/acme/buckets/logs"
	tests := []struct {
		name, body   string
		want         int
		field, words string
	}{
		{"object lock without versioning is refused",
			`{"spec":{"objectLock":{"mode":"GOVERNANCE","days":1}}}`,
			422, "spec.objectLock", model.ObjectLockNeedsVersioning},
		{"object lock with versioning Suspended is refused",
			`{"spec":{"versioning":"Suspended","objectLock":{"mode":"GOVERNANCE","days":1}}}`,
			422, "spec.objectLock", "needs versioning Enabled"},
		{"an empty object lock is invalid", `{"spec":{"versioning":"Enabled","objectLock":{}}}`,
			400, "spec.objectLock.mode", "is required"},
		{"an object lock of both days and years is invalid",
			`{"spec":{"versioning":"Enabled","objectLock":{"mode":"COMPLIANCE","days":1,` +
				`"years":1}}}`, 400, "spec.objectLock", "set exactly one"},
		{"default encryption is not built", `{"spec":{"encryption":{"algorithm":"AES256"}}}`,
			422, "spec.encryption", model.NotBuiltEncryption},
		{"a negative quota on objects is invalid", `{"spec":{"quota":{"maxSize":"1Gi",` +
			`"maxObjects":-5}}}`, 400, "spec.quota.maxObjects", "is negative"},
		{"a quota without a limit is invalid", `{"spec":{"quota":{}}}`,
			400, "spec.quota", "sets no limit"},
		{"a quota that is not a size is invalid", `{"spec":{"quota":{"maxSize":"lots"}}}`,
			400, "spec.quota.maxSize", "such as 10Gi"},
		{"lifecycle transitions are not built",
			`{"spec":{"lifecycle":[{"id":"cold","transitionDays":30,"transitionTier":"t"}]}}`,
			422, "spec.lifecycle[0]", model.NotBuiltTransition},
		{"a lifecycle rule without an ID is invalid",
			`{"spec":{"lifecycle":[{"expireDays":30}]}}`, 400, "spec.lifecycle[0].id",
			"is required"},
		{"a lowercase versioning state is invalid", `{"spec":{"versioning":"enabled"}}`,
			400, "spec.versioning", "Enabled or Suspended"},
		{"a tag key with the aws: prefix is invalid", `{"spec":{"tags":{"aws:x":"y"}}}`,
			400, `spec.tags["aws:x"]`, "reserves"},
		{"a policy that is not JSON is invalid", `{"spec":{"policy":"allow everyone"}}`,
			400, "spec.policy", "not a JSON object"},
		{"a policy statement without a principal is invalid",
			`{"spec":{"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":` +
				`\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::logs/*\"}]}"}}`,
			400, "spec.policy.Statement[0]", "rincipal"},
		{"a policy on another bucket is invalid",
			`{"spec":{"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":` +
				`\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",` +
				`\"Resource\":\"arn:aws:s3:::other/*\"}]}"}}`,
			400, "spec.policy", "not in bucket logs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, ts, http.MethodPut, path, tt.body, nil)
			checkErrorAnswer(t, resp, tt.want, tt.field, tt.words)
		})
	}
	t.Run("nothing refused is stored", func(t *testing.T) {
		resp := do(t, ts, http.MethodGet, path, "", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("got %d, want 404", resp.StatusCode)
		}
	})
}

func TestVersioningCannotBeUnsetOnceDeclared(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	mustTenant(t, c)
	ctx := context.Background()
	put := func(v string) error {
		_, err := c.PutBucket(ctx, "acme", "logs", model.BucketSpec{Versioning: v}, nil)
		return err
	}
	if err := put(""); err != nil {
		t.Fatalf("creating without versioning: %v", err)
	}
	for _, v := range []string{"Enabled", "Suspended", "Enabled"} {
		if err := put(v); err != nil {
			t.Fatalf("setting versioning %s: %v", v, err)
		}
	}
	checkViolation(t, put(""), http.StatusUnprocessableEntity, "spec.versioning",
		"set Suspended")
	b, err := c.GetBucket(ctx, "acme", "logs")
	if err != nil {
		t.Fatal(err)
	}
	if b.Spec.Versioning != model.VersioningEnabled {
		t.Errorf("after the refusal: got versioning %q, want Enabled kept",
			b.Spec.Versioning)
	}
}

func TestObjectLockCannotBeRemovedOnceDeclared(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	mustTenant(t, c)
	ctx := context.Background()
	locked := model.BucketSpec{Versioning: model.VersioningEnabled,
		ObjectLock: &model.BucketObjectLock{Mode: model.LockGovernance, Days: 1}}
	if _, err := c.PutBucket(ctx, "acme", "logs", locked, nil); err != nil {
		t.Fatalf("creating with object lock: %v", err)
	}
	longer := locked
	longer.ObjectLock = &model.BucketObjectLock{Mode: model.LockCompliance, Years: 2}
	if _, err := c.PutBucket(ctx, "acme", "logs", longer, nil); err != nil {
		t.Fatalf("changing the default retention: %v", err)
	}
	unlocked := model.BucketSpec{Versioning: model.VersioningEnabled}
	_, err := c.PutBucket(ctx, "acme", "logs", unlocked, nil)
	checkViolation(t, err, http.StatusUnprocessableEntity, "spec.objectLock",
		model.ObjectLockCannotBeRemoved)
	b, err := c.GetBucket(ctx, "acme", "logs")
	if err != nil {
		t.Fatal(err)
	}
	if b.Spec.ObjectLock == nil || *b.Spec.ObjectLock != *longer.ObjectLock {
		t.Errorf("after the refusal: got object lock %+v, want %+v kept",
			b.Spec.ObjectLock, longer.ObjectLock)
	}
}

func TestBucketSettingsAreStoredAsDeclared(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestServer(t)
	mustTenant(t, c)
	ctx := context.Background()
	spec := model.BucketSpec{Versioning: model.VersioningEnabled,
		Tags: map[string]string{"team": "storage"},
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`,
		ObjectLock: &model.BucketObjectLock{Mode: model.LockGovernance, Days: 7},
		Quota:      &model.BucketQuota{MaxSize: "100Gi", MaxObjects: 1000000},
		Lifecycle:  []model.BucketLifecycleRule{{ID: "old", Prefix: "tmp/", ExpireDays: 30}}}
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	empty := model.BucketSpec{Tags: map[string]string{}}
	if _, err := c.PutBucket(ctx, "acme", "bare", empty, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, bucket string
		want         model.BucketSpec
	}{
		{"every setting comes back", "logs", spec},
		{"declared empty tags stay declared", "bare", empty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := c.GetBucket(ctx, "acme", tt.bucket)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Tenant = "acme"
			if !reflect.DeepEqual(b.Spec, tt.want) {
				t.Errorf("got %+v, want %+v", b.Spec, tt.want)
			}
		})
	}
}

func TestOpenAPIBucketSettingSchemas(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	tests := []struct {
		schema string
		typ    reflect.Type
	}{
		{"BucketObjectLock", reflect.TypeFor[model.BucketObjectLock]()},
		{"BucketEncryption", reflect.TypeFor[model.BucketEncryption]()},
		{"BucketQuota", reflect.TypeFor[model.BucketQuota]()},
		{"BucketLifecycleRule", reflect.TypeFor[model.BucketLifecycleRule]()},
	}
	for _, tt := range tests {
		t.Run(tt.schema+" matches "+tt.typ.String(), func(t *testing.T) {
			t.Parallel()
			checkSchemaFields(t, schemaOf(t, doc, tt.schema), jsonFields(tt.typ), false)
		})
	}
	versioning := []any{model.VersioningEnabled, model.VersioningSuspended, ""}
	for _, path := range []string{"BucketSpec.versioning", "BucketStatus.versioning"} {
		t.Run(path+" lists the model's states", func(t *testing.T) {
			t.Parallel()
			if got := schemaOf(t, doc, path).Enum; !reflect.DeepEqual(got, versioning) {
				t.Errorf("got enum %v, want %v", got, versioning)
			}
		})
	}
	t.Run("BucketTags holds S3's limit", func(t *testing.T) {
		t.Parallel()
		s := schemaOf(t, doc, "BucketTags")
		if s.MaxProps == nil || *s.MaxProps != model.MaxBucketTags {
			t.Errorf("got maxProperties %v, want %d", s.MaxProps, model.MaxBucketTags)
		}
		if !strings.Contains(s.Description, "aws:") {
			t.Errorf("got description %q, want it to name the reserved prefix", s.Description)
		}
	})
}
