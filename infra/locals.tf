locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  gcs_agent    = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"

  # onBatch stops starting prompts this long after a delivery starts: below its timeout, so the
  # in-flight attempts, the batch's final write and the finish step fit (DESIGN promise 3).
  batch_deadline_ms = (var.functions.on_batch.timeout_seconds - var.batch_deadline_margin_seconds) * 1000

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

  # The four functions (functions.tf), keyed like var.functions; the cloud name is
  # "<prefix>-<key with dashes>". Sizes come from var.functions[key].
  functions = {
    on_upload = {
      entry_point     = "onUpload"
      service_account = google_service_account.plan_upload.email
      ingress         = "ALLOW_INTERNAL_AND_GCLB"
      secrets         = []
    }
    on_job = {
      entry_point     = "onJob"
      service_account = google_service_account.plan_job.email
      ingress         = "ALLOW_INTERNAL_AND_GCLB"
      secrets         = []
    }
    on_batch = {
      entry_point     = "onBatch"
      service_account = google_service_account.run_batch.email
      ingress         = "ALLOW_INTERNAL_AND_GCLB"
      secrets         = local.gemini_key_secrets
    }
    job_status = {
      entry_point     = "jobStatus"
      service_account = google_service_account.job_status.email
      ingress         = var.status_ingress
      secrets         = []
    }
  }

  # Each Pub/Sub-driven route (pubsub.tf): source topic, the function its push subscription
  # invokes, and (by key) its dead-letter topic "<prefix>-<key>-dead" with a pull subscription.
  routes = {
    uploads = {
      topic    = google_pubsub_topic.uploads.id
      function = "on_upload"
    }
    jobs = {
      topic    = google_pubsub_topic.jobs.id
      function = "on_job"
    }
    batches = {
      topic    = google_pubsub_topic.batches.id
      function = "on_batch"
    }
  }
}
