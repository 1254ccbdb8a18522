package reconcile

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
)

// TenantBuckets asks the tenant's storage nodes, with its root
// credentials, for the names of every bucket they hold, those made through
// S3 and unknown to the control plane included. It changes nothing; the
// API asks it before it deletes a tenant.
func (c *Controller) TenantBuckets(ctx context.Context, t *model.Tenant) ([]string, error) {
	s3c, err := c.s3.get(t)
	if err != nil {
		return nil, err
	}
	var names []string
	p := s3.NewListBucketsPaginator(s3c, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the buckets of tenant %s: %w", t.Metadata.Name, err)
		}
		for _, b := range page.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
	}
	return names, nil
}
