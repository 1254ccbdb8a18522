resource "strata_cluster" "local" {
  name = "local"
  kind = "local"
}

# One S3 service: one pool of 4 drives, 2 of which may fail without losing data.
resource "strata_tenant" "acme" {
  name    = "acme"
  cluster = strata_cluster.local.name
  region  = "us-east-1"
  parity  = 2

  pools = [
    {
      name              = "pool-0"
      servers           = 1
      drives_per_server = 4
      drive_size        = "1Gi"
      media             = "ssd"
    },
  ]

  labels = {
    team = "analytics"
  }

  timeouts = {
    create = "15m"
  }
}

# A tenant whose S3 endpoint serves a certificate you provide (the files are
# read by the control plane; only their paths are kept in the state). Its
# nodes still talk to each other with certificates of the tenant's own CA.
resource "strata_tenant" "byo_cert" {
  name    = "byo-cert"
  cluster = strata_cluster.local.name

  pools = [
    {
      name              = "pool-0"
      servers           = 2
      drives_per_server = 2
    },
  ]

  tls = {
    source    = "provided"
    cert_file = "/etc/strata/certs/s3.pem"     # the certificate, then its chain
    key_file  = "/etc/strata/certs/s3-key.pem" # its private key
    ca_file   = "/etc/strata/certs/ca.pem"     # optional: what clients should trust
  }

  monitoring = {
    prometheus = true # every node serves /strata/metrics
  }
}

# A tenant that grows by pools. Adding a pool to the list starts its nodes
# and restarts the others with the new topology; removing one first moves its
# objects to the other pools (watch the tenant's Decommissioning condition),
# then stops its nodes and deletes its drives. A pool's shape never changes:
# to reshape one, add the new pool and remove the old in the same apply.
resource "strata_tenant" "growing" {
  name    = "growing"
  cluster = strata_cluster.local.name
  parity  = 2

  pools = [
    {
      name              = "pool-0"
      servers           = 2
      drives_per_server = 2
    },
    {
      name              = "pool-1"
      servers           = 2
      drives_per_server = 4
    },
  ]
}

# A tenant whose certificate is a kubernetes.io/tls Secret (kubectl create
# secret tls, or cert-manager), read through the control plane's --kubeconfig
# and rolled out to the nodes whenever it changes; and whose nodes send one
# JSON record per S3 request to a webhook and their own log lines to
# Elasticsearch.
resource "strata_tenant" "audited" {
  name    = "audited"
  cluster = strata_cluster.local.name

  pools = [
    {
      name              = "pool-0"
      servers           = 1
      drives_per_server = 4
    },
  ]

  tls = {
    source     = "provided"
    secret_ref = "kubernetes:strata-certs/audited-tls"
  }

  audit = {
    targets = [
      { type = "webhook", endpoint = "https://audit.example.com/strata?stream=s3" },
    ]
  }

  log_targets = [
    { type = "elasticsearch", endpoint = "https://logs.example.com:9200", index = "strata-logs" },
  ]
}

output "acme_s3_endpoint" {
  value = strata_tenant.acme.endpoint
}

output "acme_secret_access_key" {
  value     = strata_tenant.acme.secret_access_key
  sensitive = true
}
