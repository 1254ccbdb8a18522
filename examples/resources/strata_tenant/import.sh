# A tenant is imported by its name.
terraform import strata_tenant.acme acme
