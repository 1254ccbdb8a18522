# Storage nodes of the tenants on this cluster run as processes on the
# control plane's own machine.
resource "strata_cluster" "local" {
  name = "local"
  kind = "local"

  labels = {
    team = "storage"
  }
}
