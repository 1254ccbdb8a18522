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

  # Keep every version of every object. Once set, versioning can be
  # Suspended but not removed.
  versioning = "Enabled"

  # The bucket's S3 tags. The control plane puts them back if someone
  # changes them through S3.
  tags = {
    team = "storage"
    env  = "prod"
  }

  # Anyone may read objects under public/.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicRead"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::logs/public/*"
    }]
  })

  # Hold at most 100 GiB and a million objects (every version counts): a
  # write that would pass either is refused (403).
  quota = {
    max_size    = "100Gi"
    max_objects = 1000000
  }

  # Delete objects under tmp/ 7 days after they were written, and every
  # other object after a year.
  lifecycle_rule = [
    { id = "tmp", prefix = "tmp/", expire_days = 7 },
    { id = "all", expire_days = 365 },
  ]
}

resource "strata_bucket" "audit" {
  tenant = strata_tenant.acme.name
  name   = "audit"

  # Object lock needs versioning Enabled.
  versioning = "Enabled"

  # Every new object version is kept for 90 days: no one can delete it
  # before then (COMPLIANCE). Once set, object lock cannot be removed.
  object_lock = {
    mode = "COMPLIANCE"
    days = 90
  }
}
