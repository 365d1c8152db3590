# State moves from the per-resource addresses (before the for_each refactor), so an existing
# deployment plans no destroy/create: the cloud resources and their names are unchanged.

moved {
  from = google_cloudfunctions2_function.on_upload
  to   = google_cloudfunctions2_function.fn["on_upload"]
}

moved {
  from = google_cloudfunctions2_function.on_job
  to   = google_cloudfunctions2_function.fn["on_job"]
}

moved {
  from = google_cloudfunctions2_function.on_batch
  to   = google_cloudfunctions2_function.fn["on_batch"]
}

moved {
  from = google_cloudfunctions2_function.job_status
  to   = google_cloudfunctions2_function.fn["job_status"]
}

moved {
  from = google_pubsub_topic.uploads_dead
  to   = google_pubsub_topic.dead["uploads"]
}

moved {
  from = google_pubsub_subscription.uploads_push
  to   = google_pubsub_subscription.push["uploads"]
}

moved {
  from = google_pubsub_subscription.uploads_dead
  to   = google_pubsub_subscription.dead["uploads"]
}

moved {
  from = google_pubsub_topic.jobs_dead
  to   = google_pubsub_topic.dead["jobs"]
}

moved {
  from = google_pubsub_subscription.jobs_push
  to   = google_pubsub_subscription.push["jobs"]
}

moved {
  from = google_pubsub_subscription.jobs_dead
  to   = google_pubsub_subscription.dead["jobs"]
}

moved {
  from = google_pubsub_topic.batches_dead
  to   = google_pubsub_topic.dead["batches"]
}

moved {
  from = google_pubsub_subscription.batches_push
  to   = google_pubsub_subscription.push["batches"]
}

moved {
  from = google_pubsub_subscription.batches_dead
  to   = google_pubsub_subscription.dead["batches"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.push_invokes_upload
  to   = google_cloud_run_v2_service_iam_member.push_invokes["uploads"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.push_invokes_job
  to   = google_cloud_run_v2_service_iam_member.push_invokes["jobs"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.push_invokes_batch
  to   = google_cloud_run_v2_service_iam_member.push_invokes["batches"]
}

moved {
  from = google_storage_bucket_iam_member.plan_upload_objects
  to   = google_storage_bucket_iam_member.objects["plan_upload"]
}

moved {
  from = google_storage_bucket_iam_member.plan_job_objects
  to   = google_storage_bucket_iam_member.objects["plan_job"]
}

moved {
  from = google_storage_bucket_iam_member.run_batch_objects
  to   = google_storage_bucket_iam_member.objects["run_batch"]
}

moved {
  from = google_storage_bucket_iam_member.job_status_objects
  to   = google_storage_bucket_iam_member.objects["job_status"]
}

moved {
  from = google_pubsub_topic_iam_member.plan_upload_publishes_batches
  to   = google_pubsub_topic_iam_member.publishes["plan_upload_batches"]
}

moved {
  from = google_pubsub_topic_iam_member.plan_job_publishes_batches
  to   = google_pubsub_topic_iam_member.publishes["plan_job_batches"]
}

moved {
  from = google_pubsub_topic_iam_member.run_batch_publishes_batches
  to   = google_pubsub_topic_iam_member.publishes["run_batch_batches"]
}

moved {
  from = google_pubsub_topic_iam_member.run_batch_publishes_job_events
  to   = google_pubsub_topic_iam_member.publishes["run_batch_job_events"]
}
