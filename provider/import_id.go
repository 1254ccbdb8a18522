package provider

import (
	"fmt"
	"strings"

	"github.com/strata-storage/strata/controlplane/model"
)

// parseNameID parses the import ID of a cluster or tenant: its name.
func parseNameID(kind, id string) (string, error) {
	var v model.Violations
	model.ValidateName(&v, kind+" name", id)
	if len(v) > 0 {
		return "", fmt.Errorf("import ID %q is not a %s name: %s", id, kind,
			v[0].Description)
	}
	return id, nil
}

// parseBucketID parses the import ID of a bucket: "tenant/name".
func parseBucketID(id string) (tenant, name string, err error) {
	parts := strings.Split(id, "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", fmt.Errorf("import ID %q is not of the form tenant/name, "+
			"such as acme/logs", id)
	}
	var v model.Violations
	model.ValidateName(&v, "tenant", parts[0])
	model.ValidateBucketName(&v, "bucket", parts[1])
	if len(v) > 0 {
		return "", "", fmt.Errorf("import ID %q: %s", id, v.Error())
	}
	return parts[0], parts[1], nil
}

// bucketID is the Terraform ID of a bucket, the same as its import ID.
func bucketID(tenant, name string) string { return tenant + "/" + name }
