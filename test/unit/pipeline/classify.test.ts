/** Classification of thrown values and code-timeout responses. */
import { describe, expect, it } from 'vitest';
import { classifyThrown, codeTimeoutFailure } from '../../../functions/pipeline/classify.ts';
import { ModelCallError } from '../../../functions/pipeline/errors.ts';

const none = { attemptTimedOut: false, batchAborted: false, attemptTimeoutMs: 1_000 };

describe('classifyThrown', () => {
  it('keeps the adapter kind, status and retry hint', () => {
    const e = new ModelCallError('rate_limited', 'quota', { status: 429, retryAfterMs: 26_000 });
    expect(classifyThrown(e, none)).toEqual({
      error: { kind: 'rate_limited', status: 429, message: 'quota' },
      retryAfterMs: 26_000,
    });
  });

  it('judges aborts by who aborted: our timer → timeout, the batch → deadline', () => {
    const reason = new DOMException('aborted', 'AbortError');
    expect(classifyThrown(reason, { ...none, attemptTimedOut: true }).error.kind).toBe('timeout');
    expect(classifyThrown(reason, { ...none, batchAborted: true }).error.kind).toBe('deadline');
    const adapterSaid = new ModelCallError('network', 'reset');
    expect(classifyThrown(adapterSaid, { ...none, attemptTimedOut: true }).error.kind).toBe(
      'timeout',
    );
  });

  it('anything else is internal', () => {
    expect(classifyThrown(new RangeError('bug'), none).error).toMatchObject({ kind: 'internal' });
    expect(classifyThrown('a string', none).error.kind).toBe('internal');
  });
});

describe('codeTimeoutFailure', () => {
  const result = (outcome: 'OUTCOME_OK' | 'OUTCOME_DEADLINE_EXCEEDED') => ({
    codeExecutionResult: { outcome },
  });
  it('flags only a LAST code run that hit the deadline', () => {
    const last = {
      candidates: [
        {
          content: {
            parts: [result('OUTCOME_OK'), result('OUTCOME_DEADLINE_EXCEEDED'), { text: 'gave up' }],
          },
        },
      ],
    };
    expect(codeTimeoutFailure(last)?.error.kind).toBe('code_timeout');
    const recovered = {
      candidates: [
        { content: { parts: [result('OUTCOME_DEADLINE_EXCEEDED'), result('OUTCOME_OK')] } },
      ],
    };
    expect(codeTimeoutFailure(recovered)).toBeUndefined();
    expect(codeTimeoutFailure({})).toBeUndefined();
  });
});
