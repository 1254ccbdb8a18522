# A bucket is imported by tenant/name.
terraform import strata_bucket.logs acme/logs

# The same ID works in an import block:
#
# import {
#   to = strata_bucket.logs
#   id = "acme/logs"
# }
