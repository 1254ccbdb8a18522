terraform {
  required_providers {
    strata = {
      source = "strata-storage/strata"
    }
  }
}

# Every setting may come from the environment instead:
# STRATA_ENDPOINT, STRATA_TOKEN and STRATA_CA_CERT.
provider "strata" {
  endpoint = "https://127.0.0.1:7443"
  token    = trimspace(file("${path.module}/.strata/admin.token"))
  ca_cert  = "${path.module}/.strata/ca.pem"
}
