locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  gcs_agent    = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"

  # onBatch stops starting prompts this long after a delivery starts: below its timeout, so the
  # in-flight attempts, the batch's final write and the finish step fit (DESIGN promise 3).
  batch_deadline_ms = (var.fn_batch.timeout_seconds - var.batch_deadline_margin_seconds) * 1000

  # The push request timeout is the subscription's ack deadline: keep it at the 600 s maximum,
  # above every function timeout, so Pub/Sub never redelivers a delivery that is still running.
  ack_deadline_seconds = 600

  # Every config.ts VARIABLES entry with requiredInCloud: true (a test checks this list).
  cloud_env = {
    SLUICE_BUCKET            = google_storage_bucket.data.name
    SLUICE_TOPIC_JOBS        = google_pubsub_topic.jobs.name
    SLUICE_TOPIC_BATCHES     = google_pubsub_topic.batches.name
    SLUICE_TOPIC_JOB_EVENTS  = google_pubsub_topic.job_events.name
    SLUICE_BATCH_DEADLINE_MS = tostring(local.batch_deadline_ms)
    SLUICE_MAX_DELIVERIES    = tostring(var.batch_max_deliveries)
    GOOGLE_CLOUD_PROJECT     = var.project
  }

  # Vertex mode: the runtime service account's identity calls Vertex AI; no key anywhere.
  gemini_env = var.gemini_api == "vertex" ? {
    GOOGLE_GENAI_USE_VERTEXAI = "true"
    GOOGLE_CLOUD_LOCATION     = var.vertex_location
  } : {}

  function_env = merge(local.cloud_env, local.gemini_env, var.tunables)

  # Developer mode: the key reaches onBatch only as a Secret Manager env-var secret.
  gemini_key_secrets = var.gemini_api == "developer" ? [{
    key     = "GEMINI_API_KEY"
    secret  = var.gemini_api_key_secret
    version = var.gemini_api_key_version
  }] : []
}
