/**
 * Trace correlation: Cloud Run passes `X-Cloud-Trace-Context: TRACE/SPAN;o=1` or a W3C
 * `traceparent: 00-TRACE-SPAN-FLAGS`; Cloud Logging groups entries whose
 * `logging.googleapis.com/trace` is `projects/<project>/traces/<TRACE>` (reference/gcp.md §8).
 */

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** Log fields tying an entry to the request's trace, or `{}` when the request has none. */
export function traceFields(
  headers: HeaderBag,
  project: string | undefined,
): Record<string, string> {
  if (!project) return {};
  const cloud = first(headers['x-cloud-trace-context']);
  const cloudMatch = cloud ? /^([0-9a-f]{32})(?:\/(\d+))?/i.exec(cloud) : null;
  if (cloudMatch?.[1]) {
    const out: Record<string, string> = {
      'logging.googleapis.com/trace': `projects/${project}/traces/${cloudMatch[1]}`,
    };
    if (cloudMatch[2]) out['logging.googleapis.com/spanId'] = cloudMatch[2];
    return out;
  }
  const parent = first(headers['traceparent']);
  const w3c = parent
    ? /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/i.exec(parent)
    : null;
  if (w3c?.[1] && w3c[2]) {
    return {
      'logging.googleapis.com/trace': `projects/${project}/traces/${w3c[1]}`,
      'logging.googleapis.com/spanId': w3c[2],
    };
  }
  return {};
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
