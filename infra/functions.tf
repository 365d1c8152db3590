# The four functions (local.functions). All are HTTP functions (functions/index.ts registers
# them with the functions framework); the Pub/Sub-driven three are reached through our own push
# subscriptions (pubsub.tf), so none has an event_trigger.

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions
  name     = "${var.prefix}-${replace(each.key, "_", "-")}"
  location = var.region

  build_config {
    runtime     = var.runtime
    entry_point = each.value.entry_point
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    timeout_seconds                  = var.functions[each.key].timeout_seconds
    max_instance_count               = var.functions[each.key].max_instances
    max_instance_request_concurrency = var.functions[each.key].concurrency
    available_memory                 = var.functions[each.key].memory
    available_cpu                    = var.functions[each.key].cpu
    ingress_settings                 = each.value.ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = each.value.service_account
    environment_variables            = local.function_env

    # Developer API mode, onBatch only: the key is never a plain env var, never in Terraform state.
    dynamic "secret_environment_variables" {
      for_each = each.value.secrets
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
