# One service account per function plus one for Pub/Sub push. Roles are granted on the single
# bucket, topic, secret or function that needs them; the only project-level grant is
# roles/aiplatform.user (Vertex AI has no per-model IAM). No primitive roles anywhere.

resource "google_service_account" "plan_upload" {
  account_id   = "${var.prefix}-plan-upload"
  display_name = "Sluice onUpload: plans a job from a new input file"
}

resource "google_service_account" "plan_job" {
  account_id   = "${var.prefix}-plan-job"
  display_name = "Sluice onJob: plans a job from a job message"
}

resource "google_service_account" "run_batch" {
  account_id   = "${var.prefix}-run-batch"
  display_name = "Sluice onBatch: runs batches through Gemini and finishes jobs"
}

resource "google_service_account" "job_status" {
  account_id   = "${var.prefix}-job-status"
  display_name = "Sluice jobStatus: reads job outputs"
}

resource "google_service_account" "push_invoker" {
  account_id   = "${var.prefix}-push"
  display_name = "Sluice Pub/Sub push: OIDC identity that invokes the functions"
}

# --- bucket -------------------------------------------------------------------------------

# objectUser = read, create, overwrite, delete objects (no bucket IAM changes); jobStatus only reads.
resource "google_storage_bucket_iam_member" "objects" {
  for_each = {
    plan_upload = { role = "roles/storage.objectUser", member = google_service_account.plan_upload.member }
    plan_job    = { role = "roles/storage.objectUser", member = google_service_account.plan_job.member }
    run_batch   = { role = "roles/storage.objectUser", member = google_service_account.run_batch.member }
    job_status  = { role = "roles/storage.objectViewer", member = google_service_account.job_status.member }
  }
  bucket = google_storage_bucket.data.name
  role   = each.value.role
  member = each.value.member
}

# --- topics the functions publish to ------------------------------------------------------

# run_batch publishes continuations (a batch that hit its deadline republishes the rest of
# itself) and job-done events.
resource "google_pubsub_topic_iam_member" "publishes" {
  for_each = {
    plan_upload_batches  = { topic = google_pubsub_topic.batches.id, member = google_service_account.plan_upload.member }
    plan_job_batches     = { topic = google_pubsub_topic.batches.id, member = google_service_account.plan_job.member }
    run_batch_batches    = { topic = google_pubsub_topic.batches.id, member = google_service_account.run_batch.member }
    run_batch_job_events = { topic = google_pubsub_topic.job_events.id, member = google_service_account.run_batch.member }
  }
  topic  = each.value.topic
  role   = "roles/pubsub.publisher"
  member = each.value.member
}

# --- Gemini --------------------------------------------------------------------------------

# Vertex AI: project level is the narrowest scope this role can be granted at.
resource "google_project_iam_member" "run_batch_vertex" {
  count   = var.gemini_api == "vertex" ? 1 : 0
  project = var.project
  role    = "roles/aiplatform.user"
  member  = google_service_account.run_batch.member
}

# Developer API: read access to the one secret that holds the key.
resource "google_secret_manager_secret_iam_member" "run_batch_reads_key" {
  count     = var.gemini_api == "developer" ? 1 : 0
  project   = var.project
  secret_id = var.gemini_api_key_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.run_batch.member
}

# --- invoking the functions ----------------------------------------------------------------

# Pub/Sub push reaches each route's function as push_invoker.
resource "google_cloud_run_v2_service_iam_member" "push_invokes" {
  for_each = local.routes
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.value.function].service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.push_invoker.member
}

# jobStatus: only the members listed in status_invokers (never allUsers; validated).
resource "google_cloud_run_v2_service_iam_member" "status_invokers" {
  for_each = toset(var.status_invokers)
  location = var.region
  name     = google_cloudfunctions2_function.fn["job_status"].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}

# --- Google service agents -----------------------------------------------------------------

resource "google_pubsub_topic_iam_member" "gcs_publishes_uploads" {
  topic  = google_pubsub_topic.uploads.id
  role   = "roles/pubsub.publisher"
  member = local.gcs_agent
}

# Cloud Scheduler's pubsub_target publishes as the Cloud Scheduler service agent.
resource "google_pubsub_topic_iam_member" "scheduler_publishes_jobs" {
  count  = var.eval_enabled ? 1 : 0
  topic  = google_pubsub_topic.jobs.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com"
}

# Dead-lettering: the Pub/Sub service agent publishes to each dead-letter topic and must be
# able to subscribe (acknowledge) on each source subscription.
resource "google_pubsub_topic_iam_member" "pubsub_dead_letters" {
  for_each = local.routes
  topic    = google_pubsub_topic.dead[each.key].id
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_acks_sources" {
  for_each     = local.routes
  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Projects that enabled Pub/Sub on or before 2021-04-08 need this for OIDC push tokens.
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  count              = var.legacy_pubsub_token_creator ? 1 : 0
  service_account_id = google_service_account.push_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}
