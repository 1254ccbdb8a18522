# The quickstart: one local cluster, one tenant of four drives with two
# parity shards, and one bucket. `make quickstart` applies it through a
# development override of the provider built into ../../bin.

terraform {
  required_providers {
    strata = {
      source = "strata-storage/strata"
    }
  }
}

# endpoint, token and ca_cert come from STRATA_ENDPOINT, STRATA_TOKEN and
# STRATA_CA_CERT, which `make quickstart` sets.
provider "strata" {}

resource "strata_cluster" "local" {
  name = "local"
  kind = "local"
}

resource "strata_tenant" "demo" {
  name    = "demo"
  cluster = strata_cluster.local.name
  parity  = 2

  pools = [{
    name              = "pool-0"
    servers           = 1
    drives_per_server = 4
  }]
}

resource "strata_bucket" "demo" {
  tenant = strata_tenant.demo.name
  name   = "demo"
}

output "tenant" {
  value = strata_tenant.demo.name
}

output "bucket" {
  value = strata_bucket.demo.name
}

output "s3_endpoint" {
  value = strata_tenant.demo.endpoint
}
