output "bucket" {
  description = "Data bucket: upload inputs to gs://<bucket>/inputs/, results land in gs://<bucket>/jobs/<jobId>/."
  value       = google_storage_bucket.data.name
}

output "topics" {
  description = "Topic ids: publish job messages to jobs; read job-done events from job_events."
  value = {
    uploads      = google_pubsub_topic.uploads.id
    jobs         = google_pubsub_topic.jobs.id
    batches      = google_pubsub_topic.batches.id
    job_events   = google_pubsub_topic.job_events.id
    uploads_dead = google_pubsub_topic.dead["uploads"].id
    jobs_dead    = google_pubsub_topic.dead["jobs"].id
    batches_dead = google_pubsub_topic.dead["batches"].id
  }
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions that keep dead-lettered messages (docs/deploy.md says what to do with them)."
  value = [
    google_pubsub_subscription.dead["uploads"].name,
    google_pubsub_subscription.dead["jobs"].name,
    google_pubsub_subscription.dead["batches"].name,
  ]
}

output "job_status_url" {
  description = "jobStatus URL (GET ?jobId=...; needs an identity token of a status_invokers member)."
  value       = google_cloudfunctions2_function.fn["job_status"].service_config[0].uri
}

output "service_accounts" {
  description = "Service account emails, one per function plus the push identity."
  value = {
    plan_upload  = google_service_account.plan_upload.email
    plan_job     = google_service_account.plan_job.email
    run_batch    = google_service_account.run_batch.email
    job_status   = google_service_account.job_status.email
    push_invoker = google_service_account.push_invoker.email
  }
}

output "eval_scheduler_job" {
  description = "Cloud Scheduler job of the scheduled evaluation (run it by hand with gcloud scheduler jobs run)."
  value       = var.eval_enabled ? google_cloud_scheduler_job.eval[0].name : null
}
