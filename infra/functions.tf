# The four functions. All are HTTP functions (functions/index.ts registers them with the
# functions framework); the Pub/Sub-driven three are reached through our own push subscriptions
# (pubsub.tf), so none has an event_trigger.

resource "google_cloudfunctions2_function" "on_upload" {
  name     = "${var.prefix}-on-upload"
  location = var.region

  build_config {
    runtime     = var.runtime
    entry_point = "onUpload"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    timeout_seconds                  = var.fn_upload.timeout_seconds
    max_instance_count               = var.fn_upload.max_instances
    max_instance_request_concurrency = var.fn_upload.concurrency
    available_memory                 = var.fn_upload.memory
    available_cpu                    = var.fn_upload.cpu
    ingress_settings                 = "ALLOW_INTERNAL_AND_GCLB"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.plan_upload.email
    environment_variables            = local.function_env
  }
}

resource "google_cloudfunctions2_function" "on_job" {
  name     = "${var.prefix}-on-job"
  location = var.region

  build_config {
    runtime     = var.runtime
    entry_point = "onJob"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    timeout_seconds                  = var.fn_job.timeout_seconds
    max_instance_count               = var.fn_job.max_instances
    max_instance_request_concurrency = var.fn_job.concurrency
    available_memory                 = var.fn_job.memory
    available_cpu                    = var.fn_job.cpu
    ingress_settings                 = "ALLOW_INTERNAL_AND_GCLB"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.plan_job.email
    environment_variables            = local.function_env
  }
}

resource "google_cloudfunctions2_function" "on_batch" {
  name     = "${var.prefix}-on-batch"
  location = var.region

  build_config {
    runtime     = var.runtime
    entry_point = "onBatch"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    timeout_seconds                  = var.fn_batch.timeout_seconds
    max_instance_count               = var.fn_batch.max_instances
    max_instance_request_concurrency = var.fn_batch.concurrency
    available_memory                 = var.fn_batch.memory
    available_cpu                    = var.fn_batch.cpu
    ingress_settings                 = "ALLOW_INTERNAL_AND_GCLB"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.run_batch.email
    environment_variables            = local.function_env

    # Developer API mode only: the key is never a plain env var, never in Terraform state.
    dynamic "secret_environment_variables" {
      for_each = local.gemini_key_secrets
      content {
        key        = secret_environment_variables.value.key
        project_id = var.project
        secret     = secret_environment_variables.value.secret
        version    = secret_environment_variables.value.version
      }
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.run_batch_reads_key]
}

resource "google_cloudfunctions2_function" "job_status" {
  name     = "${var.prefix}-job-status"
  location = var.region

  build_config {
    runtime     = var.runtime
    entry_point = "jobStatus"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    timeout_seconds                  = var.fn_status.timeout_seconds
    max_instance_count               = var.fn_status.max_instances
    max_instance_request_concurrency = var.fn_status.concurrency
    available_memory                 = var.fn_status.memory
    available_cpu                    = var.fn_status.cpu
    ingress_settings                 = var.status_ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.job_status.email
    environment_variables            = local.function_env
  }
}
