# A tier is imported by tenant/name. Its secret access key is not imported:
# the control plane keeps the one it has until an apply sends a new one.
terraform import strata_tier.cold acme/cold

# The same ID works in an import block:
#
# import {
#   to = strata_tier.cold
#   id = "acme/cold"
# }
