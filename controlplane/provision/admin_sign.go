package provision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/strata-storage/strata/controlplane/model"
)

// SignAdminRequest signs req for storaged's /strata/admin/ endpoints,
// which demand a SigV4 signature (service s3) by the tenant's root key.
// body is the request's body, nil for none; the caller sets req's body
// itself. It sets X-Amz-Content-Sha256 to the body's hash, as storaged
// checks it.
func SignAdminRequest(ctx context.Context, req *http.Request, body []byte,
	creds model.Credentials, region string) error {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey}, req, hash, "s3", region, time.Now())
	if err != nil {
		return fmt.Errorf("signing the admin request %s %s: %w", req.Method, req.URL.Path, err)
	}
	return nil
}
