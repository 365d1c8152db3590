variable "project" {
  description = "Google Cloud project id that holds the whole stack."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project))
    error_message = "project must be a project id (6-30 characters: lower-case letters, digits, hyphens)."
  }
}

variable "region" {
  description = "Region of the functions, the bucket and the scheduler job (the bucket notification needs them together)."
  type        = string
  default     = "us-central1"
}

variable "bucket" {
  description = "Name of the data bucket (inputs/, jobs/, evals/). Must be globally unique."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,54}[a-z0-9]$", var.bucket))
    error_message = "bucket must be 3-56 characters of lower-case letters, digits, '.', '_', '-' (\"<bucket>-source\" must stay a valid 63-character name)."
  }
}

variable "prefix" {
  description = "Prefix of every resource name (topics, subscriptions, functions, service accounts)."
  type        = string
  default     = "sluice"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,11}$", var.prefix))
    error_message = "prefix must be 2-12 characters of lower-case letters, digits and '-', starting with a letter (service account ids are limited to 30)."
  }
}

variable "runtime" {
  description = "Cloud Run functions runtime. nodejs20 is decommissioned (2026-10-30)."
  type        = string
  default     = "nodejs22"

  validation {
    condition     = can(regex("^nodejs(2[2-9]|[3-9][0-9])$", var.runtime))
    error_message = "runtime must be nodejs22 or newer (nodejs20 and older are decommissioned)."
  }
}

variable "source_zip" {
  description = "Path of the deploy artifact made by `npm run package`, relative to infra/."
  type        = string
  default     = "../build/function.zip"
}

variable "gemini_api" {
  description = "Which Gemini API the batch runner calls: \"vertex\" (Vertex AI, the runtime service account's identity) or \"developer\" (Gemini Developer API, key from Secret Manager)."
  type        = string
  default     = "vertex"

  validation {
    condition     = contains(["vertex", "developer"], var.gemini_api)
    error_message = "gemini_api must be \"vertex\" or \"developer\"."
  }
}

variable "vertex_location" {
  description = "Vertex AI location when gemini_api = \"vertex\" (GOOGLE_CLOUD_LOCATION)."
  type        = string
  default     = "global"
}

variable "gemini_api_key_secret" {
  description = "Secret Manager secret id holding the Gemini Developer API key (gemini_api = \"developer\"). Create it and its version with gcloud, so the key never enters Terraform state."
  type        = string
  default     = "sluice-gemini-api-key"
}

variable "gemini_api_key_version" {
  description = "Secret version to mount; env-var secrets resolve at instance start, so pin a number."
  type        = string
  default     = "1"
}

variable "functions" {
  description = "Timeout, scaling and size of each function: on_upload (plans a job from a new input file), on_job (plans a job from a job message), on_batch (runs one batch, finishes the job after the last; prompts in flight per batch are SLUICE_CONCURRENCY in tunables), job_status (HTTP GET ?jobId=). Override the whole map: every key is required."
  type = map(object({
    timeout_seconds = number
    max_instances   = number
    concurrency     = number
    memory          = string
    cpu             = string
  }))
  default = {
    on_upload  = { timeout_seconds = 300, max_instances = 10, concurrency = 4, memory = "512Mi", cpu = "1" }
    on_job     = { timeout_seconds = 300, max_instances = 10, concurrency = 4, memory = "512Mi", cpu = "1" }
    on_batch   = { timeout_seconds = 540, max_instances = 50, concurrency = 4, memory = "1Gi", cpu = "1" }
    job_status = { timeout_seconds = 60, max_instances = 5, concurrency = 16, memory = "256Mi", cpu = "1" }
  }

  validation {
    condition     = setunion(toset(keys(var.functions)), ["on_upload", "on_job", "on_batch", "job_status"]) == toset(keys(var.functions)) && length(var.functions) == 4
    error_message = "functions must have exactly the keys on_upload, on_job, on_batch and job_status."
  }
  validation {
    condition     = alltrue([for k, f in var.functions : f.timeout_seconds >= 10 && f.timeout_seconds <= 540 if contains(["on_upload", "on_job"], k)])
    error_message = "functions.on_upload.timeout_seconds and functions.on_job.timeout_seconds must be 10..540 (event-driven limit)."
  }
  validation {
    condition     = try(var.functions.on_batch.timeout_seconds >= 120 && var.functions.on_batch.timeout_seconds <= 540, false)
    error_message = "functions.on_batch.timeout_seconds must be 120..540 (event-driven limit; the batch deadline sits below it)."
  }
  validation {
    condition     = try(var.functions.job_status.timeout_seconds >= 1 && var.functions.job_status.timeout_seconds <= 540, false)
    error_message = "functions.job_status.timeout_seconds must be 1..540."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.max_instances >= 1 && f.max_instances <= 1000 && f.concurrency >= 1 && f.concurrency <= 1000])
    error_message = "functions.*.max_instances and functions.*.concurrency must be 1..1000."
  }
}

variable "batch_deadline_margin_seconds" {
  description = "SLUICE_BATCH_DEADLINE_MS = (functions.on_batch.timeout_seconds - this) * 1000: time left after the batch stops starting prompts, for in-flight attempts, the final write and the finish step."
  type        = number
  default     = 120

  validation {
    condition     = var.batch_deadline_margin_seconds >= 30 && var.batch_deadline_margin_seconds <= try(var.functions.on_batch.timeout_seconds, 540) - 60
    error_message = "batch_deadline_margin_seconds must be at least 30 and leave at least 60 s of batch deadline below functions.on_batch.timeout_seconds."
  }
}

variable "max_delivery_attempts" {
  description = "Pub/Sub deliveries of one message before it goes to the dead-letter topic (5..100)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be 5..100 (Pub/Sub dead-letter policy bounds)."
  }
}

variable "batch_max_deliveries" {
  description = "SLUICE_MAX_DELIVERIES: deliveries after which onBatch writes the unfinished lines as error results. Must be below max_delivery_attempts, so the runner ends a poison batch itself before Pub/Sub dead-letters it."
  type        = number
  default     = 5

  validation {
    condition     = var.batch_max_deliveries >= 1 && var.batch_max_deliveries < var.max_delivery_attempts
    error_message = "batch_max_deliveries must be at least 1 and below max_delivery_attempts."
  }
}

variable "message_retention" {
  description = "How long subscriptions (and dead-letter subscriptions) keep unacked messages."
  type        = string
  default     = "604800s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.message_retention))
    error_message = "message_retention must be seconds with an \"s\" suffix, e.g. \"604800s\" (600s..2678400s)."
  }
}

variable "tunables" {
  description = "Extra SLUICE_* environment for every function (config.ts VARIABLES), e.g. { SLUICE_CONCURRENCY = \"16\" }. Values Terraform derives (bucket, topics, deadlines, project) cannot be set here."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for k in keys(var.tunables) : contains([
      "SLUICE_INPUT_BUCKETS", "SLUICE_MODEL", "SLUICE_CONCURRENCY", "SLUICE_MAX_ATTEMPTS",
      "SLUICE_ATTEMPT_TIMEOUT_MS", "SLUICE_BATCH_LINES", "SLUICE_LOG_LEVEL",
    ], k)])
    error_message = "tunables may only set SLUICE_INPUT_BUCKETS, SLUICE_MODEL, SLUICE_CONCURRENCY, SLUICE_MAX_ATTEMPTS, SLUICE_ATTEMPT_TIMEOUT_MS, SLUICE_BATCH_LINES or SLUICE_LOG_LEVEL."
  }
}

variable "intermediate_retention_days" {
  description = "Age in days after which intermediate objects (checkpoints, leases, compose temporaries) are deleted. Results, summaries and inputs are never touched."
  type        = number
  default     = 7

  validation {
    condition     = var.intermediate_retention_days >= 2
    error_message = "intermediate_retention_days must be at least 2 (a running job still needs its ledger)."
  }
}

variable "versioning" {
  description = "Object versioning on the data bucket (off: every write is derived and written once)."
  type        = bool
  default     = false
}

variable "status_invokers" {
  description = "IAM members allowed to call jobStatus, e.g. [\"user:me@example.com\", \"group:eval@example.com\"]. Never allUsers."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.status_invokers : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "status_invokers must not contain allUsers or allAuthenticatedUsers: jobStatus requires IAM authentication."
  }
}

variable "status_ingress" {
  description = "Ingress of jobStatus. ALLOW_ALL lets `sluice status` call it from a laptop; IAM auth is still required."
  type        = string
  default     = "ALLOW_ALL"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.status_ingress)
    error_message = "status_ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "legacy_pubsub_token_creator" {
  description = "Grant the Pub/Sub service agent Token Creator on the push service account. Only projects that enabled Pub/Sub on or before 2021-04-08 need it for OIDC push."
  type        = bool
  default     = false
}

variable "eval_schedule" {
  description = "Cron schedule of the scheduled evaluation (Cloud Scheduler syntax)."
  type        = string
  default     = "0 3 * * *"
}

variable "eval_time_zone" {
  description = "IANA time zone of eval_schedule."
  type        = string
  default     = "Etc/UTC"
}

variable "eval_enabled" {
  description = "Create the Cloud Scheduler job that publishes eval_job_spec on eval_schedule."
  type        = bool
  default     = true
}

variable "eval_job_spec" {
  description = "Job spec (schemas/job-spec.schema.json) published by the scheduler. Leave jobId out: scheduled runs get a per-day id (see README). \"@BUCKET@\" is replaced by the data bucket name."
  type        = any
  default = {
    input = "gs://@BUCKET@/evals/nightly.jsonl"
    model = "gemini-3.5-flash"
  }
}
