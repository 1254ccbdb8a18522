# A cluster is imported by its name.
terraform import strata_cluster.local local
