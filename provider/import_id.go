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

// parseChildID parses the import ID of a resource that a tenant owns:
// "tenant/name", such as example; check validates the name, which the
// violations call what.
func parseChildID(id, example, what string,
	check func(v *model.Violations, field, name string)) (tenant, name string, err error) {
	parts := strings.Split(id, "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", fmt.Errorf("import ID %q is not of the form tenant/name, "+
			"such as %s", id, example)
	}
	var v model.Violations
	model.ValidateName(&v, "tenant", parts[0])
	check(&v, what, parts[1])
	if len(v) > 0 {
		return "", "", fmt.Errorf("import ID %q: %s", id, v.Error())
	}
	return parts[0], parts[1], nil
}

// childID is the Terraform ID of a resource that a tenant owns, the same
// as its import ID: "tenant/name".
func childID(tenant, name string) string { return tenant + "/" + name }
