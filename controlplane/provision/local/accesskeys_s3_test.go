package local

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/strata-storage/strata/controlplane/model"
)

// readLogsGrant is an access key that may only read objects of bucket
// logs.
var readLogsGrant = model.AccessKeyGrant{
	Name:            "ci",
	AccessKeyID:     "SKIATESTREADLOGS0001",
	SecretAccessKey: "rEaDlOgS0nLy+sEcReT/0123456789abcdefABCD",
	Policy: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`),
}

// errorCode returns the S3 error code of err, or "" when it has none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestAnAccessKeyMayDoOnlyWhatItsPolicyAllows runs a real tenant, gives
// its node an access key that may only read bucket logs, and checks with
// aws-sdk-go-v2 that the key reads there, is refused a write, and is
// refused everything once it is taken away.
func TestAnAccessKeyMayDoOnlyWhatItsPolicyAllows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProvisioner(t)
	tenant := newTenant("iam", 1, 4)
	obs := ensureReady(t, p, tenant)
	root := s3Client(t, obs, obs.Endpoint)
	_, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"),
		Key: aws.String("a.txt"), Body: strings.NewReader("line")}); err != nil {
		t.Fatal(err)
	}

	pending, err := p.PublishAccessKeys(ctx, tenant, []model.AccessKeyGrant{readLogsGrant})
	if err != nil || len(pending) != 0 {
		t.Fatalf("publishing: got pending %v, %v; want every node told", pending, err)
	}
	keyObs := obs
	keyObs.Credentials = model.Credentials{AccessKeyID: readLogsGrant.AccessKeyID,
		SecretAccessKey: readLogsGrant.SecretAccessKey}
	ci := s3Client(t, keyObs, obs.Endpoint)
	waitForCode(t, "the key to read logs/a.txt", ci, "")
	_, err = ci.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"),
		Key: aws.String("b.txt"), Body: strings.NewReader("no")})
	if got := errorCode(err); got != "AccessDenied" {
		t.Errorf("PutObject with a read-only key: got %v (code %q), want AccessDenied", err, got)
	}

	if _, err := p.PublishAccessKeys(ctx, tenant, nil); err != nil {
		t.Fatal(err)
	}
	waitForCode(t, "the key to be refused", ci, "InvalidAccessKeyId")
}

// waitForCode reads logs/a.txt with c until the answer's error code is
// want ("" for success), for up to ten seconds: a node reloads its keys
// shortly after SIGHUP, not at once.
func waitForCode(t *testing.T, what string, c *s3.Client, want string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		body, err := getObject(context.Background(), c, "logs", "a.txt")
		code := errorCode(err)
		if err != nil && code == "" {
			code = err.Error()
		}
		if code == want && (want != "" || string(body) == "line") {
			return
		}
		if !slices.Contains(got, code) {
			got = append(got, code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waited 10s for %s: got answers %q, want %q", what, got, want)
}
