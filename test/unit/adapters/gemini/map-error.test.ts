/** Pure parts of the error mapping: error bodies, RetryInfo durations, network codes, aborts. */
import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import {
  kindForStatus,
  mapGeminiError,
  parseErrorBody,
  retryDelayMs,
} from '../../../../functions/adapters/gemini/map-error.ts';
import { ModelCallError } from '../../../../functions/pipeline/errors.ts';

const live = new AbortController().signal;
const retryInfo = (retryDelay: unknown) => [
  { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
];

describe('map-error', () => {
  it('parses RetryInfo durations: whole, fractional, object form; ignores other details', () => {
    expect(retryDelayMs(retryInfo('26s'))).toBe(26_000);
    expect(retryDelayMs(retryInfo('34.4s'))).toBe(34_400);
    expect(retryDelayMs(retryInfo({ seconds: '2', nanos: 500_000_000 }))).toBe(2_500);
    expect(
      retryDelayMs([{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'X' }]),
    ).toBeUndefined();
    expect(retryDelayMs(retryInfo('soon'))).toBeUndefined();
  });

  it('reads the body of a mid-stream error message ("got status: X. {json}")', () => {
    const body = parseErrorBody(
      'got status: UNAVAILABLE. {"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}',
    );
    expect(body).toEqual({ code: 503, message: 'busy', status: 'UNAVAILABLE' });
    expect(parseErrorBody('not json at all')).toBeUndefined();
  });

  it('finds RetryInfo inside a double-encoded (non-JSON content-type) body', () => {
    const inner = JSON.stringify({
      error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: retryInfo('3s') },
    });
    const wrapped = JSON.stringify({
      error: { message: inner, code: 429, status: 'Too Many Requests' },
    });
    const mapped = mapGeminiError(new ApiError({ message: wrapped, status: 429 }), live);
    expect(mapped).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3_000 });
  });

  it('classifies network errors by their cause code', () => {
    const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(mapGeminiError(new TypeError('terminated', { cause }), live)).toMatchObject({
      kind: 'network',
      status: 'UND_ERR_SOCKET',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(mapGeminiError(new TypeError('fetch failed', { cause: refused }), live)).toMatchObject({
      kind: 'network',
    });
  });

  it('returns the signal reason when the call was aborted, whatever was thrown', () => {
    const controller = new AbortController();
    const reason = new Error('batch deadline');
    controller.abort(reason);
    expect(mapGeminiError(new DOMException('aborted', 'AbortError'), controller.signal)).toBe(
      reason,
    );
    expect(mapGeminiError(new ApiError({ message: '{}', status: 503 }), controller.signal)).toBe(
      reason,
    );
  });

  it('passes ModelCallErrors and unknown errors through', () => {
    const own = new ModelCallError('truncated', 'x');
    expect(mapGeminiError(own, live)).toBe(own);
    const bug = new RangeError('bug');
    expect(mapGeminiError(bug, live)).toBe(bug);
  });

  it('maps statuses the way DESIGN promise 4 says', () => {
    expect([400, 401, 403, 404, 408, 418, 429, 500, 502, 503, 504, 599].map(kindForStatus)).toEqual(
      [
        'bad_request',
        'auth',
        'auth',
        'not_found',
        'timeout',
        'bad_request',
        'rate_limited',
        'server',
        'server',
        'server',
        'timeout',
        'server',
      ],
    );
  });
});
