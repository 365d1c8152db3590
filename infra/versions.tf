# Provider pins. Cross-variable validation (batch deadline vs. timeout, deliveries vs. dead-letter
# attempts) needs Terraform >= 1.9.
terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }

  # State lives in a GCS bucket created by hand (docs/deploy.md); pass it with
  # `terraform init -backend-config="bucket=<state bucket>"`.
  backend "gcs" {
    prefix = "sluice"
  }
}

provider "google" {
  project = var.project
  region  = var.region
}

data "google_project" "this" {
  project_id = var.project
}

# The Cloud Storage service agent publishes bucket notifications to the uploads topic.
data "google_storage_project_service_account" "gcs" {
  project = var.project
}
