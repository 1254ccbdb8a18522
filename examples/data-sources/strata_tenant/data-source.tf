# Read a tenant that another configuration manages, to configure a client.
data "strata_tenant" "acme" {
  name = "acme"
}

output "acme_endpoint" {
  value = data.strata_tenant.acme.endpoint
}
