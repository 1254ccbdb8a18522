# Every bucket of tenant acme, whoever manages it.
data "strata_buckets" "acme" {
  tenant = "acme"
}

output "acme_bucket_names" {
  value = [for b in data.strata_buckets.acme.buckets : b.name]
}
