data "strata_bucket" "logs" {
  tenant = "acme"
  name   = "logs"
}

output "logs_ready" {
  value = data.strata_bucket.logs.ready
}

output "logs_versioning" {
  value = data.strata_bucket.logs.versioning
}
