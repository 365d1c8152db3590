/**
 * Translates what the @google/genai SDK throws into ModelCallError kinds (DESIGN promise 4).
 * Observed SDK behaviour (reference/gemini.md §2–3): HTTP 4xx/5xx → ApiError whose message is the
 * JSON error body (or "got status: X. {json}" for a mid-stream error chunk); a cut SSE stream →
 * Error("Incomplete JSON segment at the end"); socket failures → TypeError("fetch failed" |
 * "terminated") with an undici/errno `cause.code`; our abort → the signal's reason.
 */
import { ApiError } from '@google/genai';
import { ModelCallError } from '../../pipeline/errors.ts';
import type { ErrorKind } from '../../pipeline/types.ts';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const MAX_MESSAGE = 500;

/** HTTP status → kind (408/504 timeout, 429 rate_limited, 5xx server, 401/403 auth, ...). */
export function kindForStatus(status: number): ErrorKind {
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/**
 * Returns the value to rethrow for `thrown`: the signal's reason when the caller aborted (the
 * core knows whether that was its timer or the batch deadline), a ModelCallError when it can be
 * classified, else `thrown` unchanged (the core calls it internal). `secrets` are redacted from
 * messages.
 */
export function mapGeminiError(
  thrown: unknown,
  signal: AbortSignal,
  secrets: string[] = [],
): unknown {
  if (signal.aborted) return signal.reason;
  if (thrown instanceof ModelCallError) return thrown;
  const redact = (text: string): string => clip(redactAll(text, secrets));
  if (thrown instanceof ApiError) return fromApiError(thrown, redact);
  if (!(thrown instanceof Error)) return thrown;
  if (/Incomplete JSON segment|exception parsing stream chunk/.test(thrown.message)) {
    return new ModelCallError('truncated', `stream ended early: ${redact(thrown.message)}`, {
      cause: thrown,
    });
  }
  if (thrown instanceof SyntaxError) {
    // A 200 whose JSON body ended early (the SDK parses unary bodies with response.json()).
    return new ModelCallError(
      'truncated',
      `response body was cut short: ${redact(thrown.message)}`,
      { cause: thrown },
    );
  }
  const code = networkCode(thrown);
  if (
    code !== undefined ||
    (thrown instanceof TypeError && /fetch failed|terminated/.test(thrown.message))
  ) {
    const detail = code === undefined ? thrown.message : `${thrown.message} (${code})`;
    return new ModelCallError('network', `network error: ${redact(detail)}`, {
      status: code,
      cause: thrown,
    });
  }
  if (thrown.name === 'AbortError' || thrown.name === 'TimeoutError') {
    return new ModelCallError('timeout', `request aborted: ${redact(thrown.message)}`, {
      cause: thrown,
    });
  }
  return thrown;
}

interface ErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: unknown[];
}

function fromApiError(error: ApiError, redact: (text: string) => string): ModelCallError {
  const body = parseErrorBody(error.message);
  const canonical =
    typeof body?.status === 'string' && body.status !== '' ? body.status : undefined;
  const text = typeof body?.message === 'string' ? body.message : error.message;
  const retryAfterMs = retryDelayMs(body?.details) ?? retryDelayMs(parseErrorBody(text)?.details);
  const label = canonical ? `${error.status} ${canonical}` : String(error.status);
  return new ModelCallError(kindForStatus(error.status), redact(`${label}: ${text}`), {
    status: error.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    cause: error,
  });
}

/** `{"error":{...}}` from an ApiError message (possibly prefixed, possibly the raw body). */
export function parseErrorBody(message: string): ErrorBody | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.slice(start));
    if (!isRecord(parsed)) return undefined;
    const inner = isRecord(parsed['error']) ? parsed['error'] : parsed;
    return {
      ...(typeof inner['code'] === 'number' ? { code: inner['code'] } : {}),
      ...(typeof inner['message'] === 'string' ? { message: inner['message'] } : {}),
      ...(typeof inner['status'] === 'string' ? { status: inner['status'] } : {}),
      ...(Array.isArray(inner['details']) ? { details: inner['details'] } : {}),
    };
  } catch {
    return undefined;
  }
}

/** `RetryInfo.retryDelay` ("26s", "34.4s", "1.5e1s") in ms, when present. */
export function retryDelayMs(details: unknown[] | undefined): number | undefined {
  for (const detail of details ?? []) {
    if (!isRecord(detail)) continue;
    const type = detail['@type'];
    const delay = detail['retryDelay'];
    if (typeof type !== 'string' || !type.endsWith('google.rpc.RetryInfo')) continue;
    const seconds = parseDuration(delay);
    if (seconds !== undefined) return Math.ceil(seconds * 1000);
  }
  return undefined;
}

function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)s\s*$/i.exec(value);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  }
  // A Duration may also arrive in object form {seconds, nanos}.
  if (isRecord(value)) {
    const seconds = Number(value['seconds'] ?? 0);
    const nanos = Number(value['nanos'] ?? 0);
    return Number.isFinite(seconds) && Number.isFinite(nanos) ? seconds + nanos / 1e9 : undefined;
  }
  return undefined;
}

function networkCode(error: Error): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function redactAll(text: string, secrets: string[]): string {
  let out = text.replace(/([?&]key=)[^&\s"]+/g, '$1[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
