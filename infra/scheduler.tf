# Scheduled evaluation: publishes eval_job_spec to the jobs topic on eval_schedule.
#
# The spec is the same every night, so a spec-hash job id would be the same every night and the
# planner would find the job already done. Cloud Scheduler cannot template dates into the body,
# so the message carries the attribute scheduledRun = "true": for such messages onJob derives
# the job id from the spec hash plus the UTC date of the message's publishTime (README).
resource "google_cloud_scheduler_job" "eval" {
  count     = var.eval_enabled ? 1 : 0
  name      = "${var.prefix}-eval"
  region    = var.region
  schedule  = var.eval_schedule
  time_zone = var.eval_time_zone

  retry_config {
    retry_count = 3
  }

  pubsub_target {
    topic_name = google_pubsub_topic.jobs.id
    data       = base64encode(replace(jsonencode(var.eval_job_spec), "@BUCKET@", var.bucket))
    attributes = {
      scheduledRun = "true"
    }
  }

  depends_on = [google_pubsub_topic_iam_member.scheduler_publishes_jobs]
}
