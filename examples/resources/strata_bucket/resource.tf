resource "strata_cluster" "local" {
  name = "local"
  kind = "local"
}

resource "strata_tenant" "acme" {
  name    = "acme"
  cluster = strata_cluster.local.name

  pools = [
    {
      name              = "pool-0"
      servers           = 1
      drives_per_server = 4
    },
  ]
}

resource "strata_bucket" "logs" {
  tenant = strata_tenant.acme.name
  name   = "logs"

  # Remove every object, version and delete marker when the bucket is destroyed.
  force_destroy = true

  labels = {
    retention = "short"
  }
}
