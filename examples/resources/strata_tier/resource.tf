resource "strata_cluster" "local" {
  name = "local"
  kind = "local"
}

resource "strata_tenant" "acme" {
  name    = "acme"
  cluster = strata_cluster.local.name
  pools   = [{ name = "pool-0", servers = 1, drives_per_server = 4 }]
}

resource "strata_tenant" "archive" {
  name    = "archive"
  cluster = strata_cluster.local.name
  pools   = [{ name = "pool-0", servers = 1, drives_per_server = 4 }]
}

resource "strata_bucket" "cold" {
  tenant = strata_tenant.archive.name
  name   = "acme-cold"
}

# Objects of storage class WARM will move to a bucket of another tenant.
resource "strata_tier" "warm" {
  tenant        = strata_tenant.acme.name
  name          = "warm"
  storage_class = "WARM"

  tenant_bucket = {
    tenant = strata_tenant.archive.name
    bucket = strata_bucket.cold.name
  }
}

variable "glacier_secret_access_key" {
  type      = string
  sensitive = true
}

# Objects of storage class COLD will move to a bucket on any S3 endpoint.
resource "strata_tier" "cold" {
  tenant        = strata_tenant.acme.name
  name          = "cold"
  storage_class = "COLD"

  s3 = {
    endpoint      = "https://s3.eu-west-1.amazonaws.com"
    region        = "eu-west-1"
    bucket        = "acme-cold-archive"
    prefix        = "strata/"
    access_key_id = "AKIAIOSFODNN7EXAMPLE"

    # Write-only: kept in neither plan nor state. Change the version
    # whenever the secret changes, so that Terraform sends the new one.
    secret_access_key         = var.glacier_secret_access_key
    secret_access_key_version = 1
  }
}
