resource "strata_cluster" "local" {
  name = "local"
  kind = "local"
}

# One S3 service: one pool of 4 drives, 2 of which may fail without losing data.
resource "strata_tenant" "acme" {
  name    = "acme"
  cluster = strata_cluster.local.name
  region  = "us-east-1"
  parity  = 2

  pools = [
    {
      name              = "pool-0"
      servers           = 1
      drives_per_server = 4
      drive_size        = "1Gi"
      media             = "ssd"
    },
  ]

  labels = {
    team = "analytics"
  }

  timeouts = {
    create = "15m"
  }
}

output "acme_s3_endpoint" {
  value = strata_tenant.acme.endpoint
}

output "acme_secret_access_key" {
  value     = strata_tenant.acme.secret_access_key
  sensitive = true
}
