resource "strata_cluster" "local" {
  name = "local"
  kind = "local"
}

resource "strata_tenant" "acme" {
  name    = "acme"
  cluster = strata_cluster.local.name
  pools   = [{ name = "pool-0", servers = 1, drives_per_server = 4 }]
}

# A key for CI that may read the objects of bucket logs and nothing else.
resource "strata_access_key" "ci" {
  tenant      = strata_tenant.acme.name
  name        = "ci"
  description = "CI reads build logs"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::logs/*"]
    }]
  })

  # Raise it (to 1, then 2, ...) to make a new secret; the ID stays.
  secret_version = 0
}

# The secret is in Terraform's state, marked sensitive.
output "ci_access_key_id" {
  value = strata_access_key.ci.access_key_id
}

output "ci_secret_access_key" {
  value     = strata_access_key.ci.secret_access_key
  sensitive = true
}
