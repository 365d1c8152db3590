# Data bucket: inputs/, jobs/<jobId>/, evals/. Private, uniform IAM, no public access ever.
resource "google_storage_bucket" "data" {
  name                        = var.bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = var.versioning
  }

  # Intermediate objects only. GCS lifecycle conditions match by literal prefix/suffix (no
  # globs), so checkpoint chunks are matched by their ".ckpt.jsonl" suffix, leases by
  # "/lease.json" and compose temporaries by the top-level "_compose/" prefix. results.jsonl,
  # summary.json, batch finals and inputs/ match none of these (test/infra checks it).
  lifecycle_rule {
    condition {
      age            = var.intermediate_retention_days
      matches_suffix = [".ckpt.jsonl", "/lease.json"]
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age            = var.intermediate_retention_days
      matches_prefix = ["_compose/"]
    }
    action {
      type = "Delete"
    }
  }
}

# Separate bucket for the function source zip: the runtime service accounts can write the data
# bucket, and must not be able to replace the code that runs as them.
resource "google_storage_bucket" "source" {
  name                        = "${var.bucket}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}

# Content-addressed object name: a new artifact is a new object, which redeploys the functions.
resource "google_storage_bucket_object" "source" {
  name   = "function-${filemd5(var.source_zip)}.zip"
  bucket = google_storage_bucket.source.name
  source = var.source_zip
}

# New objects under inputs/ → uploads topic → push subscription → onUpload.
resource "google_storage_notification" "uploads" {
  bucket             = google_storage_bucket.data.name
  topic              = google_pubsub_topic.uploads.id
  payload_format     = "JSON_API_V1"
  event_types        = ["OBJECT_FINALIZE"]
  object_name_prefix = "inputs/"

  depends_on = [google_pubsub_topic_iam_member.gcs_publishes_uploads]
}
