/** Google API error envelopes (`{"error":{code,message,status,details}}`) with the real wording. */
import type { ServerResponse } from 'node:http';

/** An error the emulator answers with: HTTP status plus the envelope body. */
export interface GoogleError {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

const type = (name: string): string => `type.googleapis.com/google.rpc.${name}`;

/** Writes the envelope pretty-printed with 2-space indent, as the real front end does. */
export function sendGoogleError(res: ServerResponse, err: GoogleError): void {
  const error: Record<string, unknown> = {
    code: err.code,
    message: err.message,
    status: err.status,
  };
  if (err.details) error.details = err.details;
  const text = JSON.stringify({ error }, null, 2) + '\n';
  res.writeHead(err.code, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export const missingApiKey = (): GoogleError => ({
  code: 403,
  status: 'PERMISSION_DENIED',
  message:
    "Method doesn't allow unregistered callers (callers without established identity). " +
    'Please use API Key or other form of API consumer identity to call this API.',
});

export const invalidApiKey = (): GoogleError => ({
  code: 400,
  status: 'INVALID_ARGUMENT',
  message: 'API key not valid. Please pass a valid API key.',
  details: [
    {
      '@type': type('ErrorInfo'),
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    {
      '@type': type('LocalizedMessage'),
      locale: 'en-US',
      message: 'API key not valid. Please pass a valid API key.',
    },
  ],
});

export const unauthenticated = (): GoogleError => ({
  code: 401,
  status: 'UNAUTHENTICATED',
  message:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie ' +
    'or other valid authentication credential. ' +
    'See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  details: [
    {
      '@type': type('ErrorInfo'),
      reason: 'CREDENTIALS_MISSING',
      domain: 'googleapis.com',
      metadata: { service: 'aiplatform.googleapis.com' },
    },
  ],
});

export const routeNotFound = (method: string, path: string): GoogleError => ({
  code: 404,
  status: 'NOT_FOUND',
  message: `Method not found: ${method} ${path}. The Gemini emulator serves models/{m}:generateContent and :streamGenerateContent.`,
});

/** Unknown model, worded like the Developer API or Vertex respectively. */
export function modelNotFound(
  api: 'developer' | 'vertex',
  resource: string,
  version: string,
): GoogleError {
  const message =
    api === 'developer'
      ? `${resource} is not found for API version ${version}, or is not supported for generateContent. ` +
        'Call ListModels to see the list of available models and their supported methods.'
      : `Publisher Model \`${resource}\` was not found or your project does not have access to it. ` +
        'Please ensure you are using a valid model version. For more information, see: ' +
        'https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions';
  return { code: 404, status: 'NOT_FOUND', message };
}

/** 400 naming the offending field. */
export const invalidArgument = (field: string, description: string): GoogleError => ({
  code: 400,
  status: 'INVALID_ARGUMENT',
  message: field ? `* GenerateContentRequest.${field}: ${description}\n` : description,
  details: [
    {
      '@type': type('BadRequest'),
      fieldViolations: [{ field, description }],
    },
  ],
});

export const permissionDenied = (): GoogleError => ({
  code: 403,
  status: 'PERMISSION_DENIED',
  message: 'The caller does not have permission',
});

/** 429 with QuotaFailure + RetryInfo; the message ends "Please retry in <N>s." like the real one. */
export function resourceExhausted(model: string, limit: number, delaySeconds: number): GoogleError {
  const delay = `${delaySeconds}s`;
  return {
    code: 429,
    status: 'RESOURCE_EXHAUSTED',
    message:
      'You exceeded your current quota, please check your plan and billing details. ' +
      'For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n' +
      '* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_requests, ' +
      `limit: ${limit}, model: ${model}\nPlease retry in ${delay}.`,
    details: [
      {
        '@type': type('QuotaFailure'),
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
            quotaDimensions: { location: 'global', model },
            quotaValue: String(limit),
          },
        ],
      },
      { '@type': type('RetryInfo'), retryDelay: delay },
    ],
  };
}

export const internal = (): GoogleError => ({
  code: 500,
  status: 'INTERNAL',
  message:
    'An internal error has occurred. Please retry or report in ' +
    'https://developers.generativeai.google/guide/troubleshooting',
});

export const unavailable = (): GoogleError => ({
  code: 503,
  status: 'UNAVAILABLE',
  message: 'The model is overloaded. Please try again later.',
});

export const deadlineExceeded = (): GoogleError => ({
  code: 504,
  status: 'DEADLINE_EXCEEDED',
  message: 'Deadline expired before operation could complete.',
});
