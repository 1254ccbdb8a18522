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

resource "strata_key" "data" {
  tenant = strata_tenant.acme.name
  name   = "data"

  # A new version every 30 days; every older version still decrypts.
  rotation_period = "720h"

  # Raise it (to 1, then 2, ...) to make a new version at once.
  rotation_generation = 0
}
