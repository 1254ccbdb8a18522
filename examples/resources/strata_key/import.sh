# A key is imported by tenant/name.
terraform import strata_key.data acme/data

# The same ID works in an import block:
#
# import {
#   to = strata_key.data
#   id = "acme/data"
# }
