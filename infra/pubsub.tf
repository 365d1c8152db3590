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

resource "google_pubsub_topic" "dead" {
  for_each = local.routes
  name     = "${var.prefix}-${each.key}-dead"
}

# --- push subscriptions, one per Pub/Sub-driven function -----------------------------------

resource "google_pubsub_subscription" "push" {
  for_each                   = local.routes
  name                       = "${var.prefix}-${each.key}-push"
  topic                      = each.value.topic
  ack_deadline_seconds       = local.ack_deadline_seconds
  message_retention_duration = var.message_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead[each.key].id
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
resource "google_pubsub_subscription" "dead" {
  for_each                   = local.routes
  name                       = "${var.prefix}-${each.key}-dead"
  topic                      = google_pubsub_topic.dead[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention

  expiration_policy {
    ttl = ""
  }
}
