# Topics. Each Pub/Sub-driven function gets our own push subscription (not an Eventarc trigger):
# only then can Terraform set the dead-letter policy, ack deadline and backoff, and the raw push
# body keeps deliveryAttempt, which onBatch needs to end a poison batch (README "Why push").

resource "google_pubsub_topic" "uploads" {
  name = "${var.prefix}-uploads"
}

resource "google_pubsub_topic" "jobs" {
  name = "${var.prefix}-jobs"
}

resource "google_pubsub_topic" "batches" {
  name = "${var.prefix}-batches"
}

resource "google_pubsub_topic" "job_events" {
  name = "${var.prefix}-job-events"
}

resource "google_pubsub_topic" "uploads_dead" {
  name = "${var.prefix}-uploads-dead"
}

resource "google_pubsub_topic" "jobs_dead" {
  name = "${var.prefix}-jobs-dead"
}

resource "google_pubsub_topic" "batches_dead" {
  name = "${var.prefix}-batches-dead"
}

# --- push subscriptions, one per Pub/Sub-driven function -----------------------------------

resource "google_pubsub_subscription" "uploads_push" {
  name                       = "${var.prefix}-uploads-push"
  topic                      = google_pubsub_topic.uploads.id
  ack_deadline_seconds       = local.ack_deadline_seconds
  message_retention_duration = var.message_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.on_upload.service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.on_upload.service_config[0].uri
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.uploads_dead.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "jobs_push" {
  name                       = "${var.prefix}-jobs-push"
  topic                      = google_pubsub_topic.jobs.id
  ack_deadline_seconds       = local.ack_deadline_seconds
  message_retention_duration = var.message_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.on_job.service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.on_job.service_config[0].uri
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.jobs_dead.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "batches_push" {
  name                       = "${var.prefix}-batches-push"
  topic                      = google_pubsub_topic.batches.id
  ack_deadline_seconds       = local.ack_deadline_seconds
  message_retention_duration = var.message_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.on_batch.service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.on_batch.service_config[0].uri
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.batches_dead.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }
}

# --- pull subscriptions: job-done events and every dead-letter topic ------------------------

resource "google_pubsub_subscription" "job_events" {
  name                       = "${var.prefix}-job-events"
  topic                      = google_pubsub_topic.job_events.id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention

  expiration_policy {
    ttl = ""
  }
}

# Without a subscription a dead-letter topic drops what it receives (gcp.md §3).
resource "google_pubsub_subscription" "uploads_dead" {
  name                       = "${var.prefix}-uploads-dead"
  topic                      = google_pubsub_topic.uploads_dead.id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "jobs_dead" {
  name                       = "${var.prefix}-jobs-dead"
  topic                      = google_pubsub_topic.jobs_dead.id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "batches_dead" {
  name                       = "${var.prefix}-batches-dead"
  topic                      = google_pubsub_topic.batches_dead.id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention

  expiration_policy {
    ttl = ""
  }
}
