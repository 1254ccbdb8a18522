# An access key is imported by tenant/name. Its secret is not imported: the
# control plane shows a secret only when it makes one, so secret_access_key
# is null after an import until secret_version is raised.
terraform import strata_access_key.ci acme/ci

# The same ID works in an import block:
#
# import {
#   to = strata_access_key.ci
#   id = "acme/ci"
# }
