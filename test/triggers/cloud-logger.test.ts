import { describe, expect, it } from 'vitest';
import { createCloudLogger, parseLogLevel } from '../../functions/adapters/log/cloud-logger.ts';
import { traceFields } from '../../functions/adapters/log/trace.ts';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const logger = createCloudLogger({ level, write: (l) => lines.push(l), now: () => 0 });
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('cloud logger', () => {
  it('writes one Cloud Logging JSON line per entry with severity, labels and extra fields', () => {
    const { logger, lines, entries } = capture();
    logger.child({ jobId: 'j1', batch: 3 }).warn('batch slow', { lines: 100 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(entries()[0]).toEqual({
      severity: 'WARNING',
      message: 'batch slow',
      time: '1970-01-01T00:00:00.000Z',
      lines: 100,
      'logging.googleapis.com/labels': { jobId: 'j1', batch: '3' },
    });
  });

  it('drops entries below the threshold', () => {
    const { logger, entries } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(entries().map((e) => e.severity)).toEqual(['WARNING', 'ERROR']);
  });

  it('never logs secrets, at any depth, but keeps token counters', () => {
    const { logger, lines } = capture();
    logger.info('config', {
      apiKey: 'AIza-SECRET-1',
      nested: { 'x-goog-api-key': 'AIza-SECRET-2', authorization: 'Bearer SECRET-3' },
      list: [{ clientSecret: 'SECRET-4', accessToken: 'SECRET-5' }],
      totalTokens: 42,
    });
    expect(lines[0]).not.toMatch(/SECRET/);
    expect(lines[0]).toContain('"totalTokens":42');
  });

  it('serialises errors with their stack', () => {
    const { logger, entries } = capture();
    logger.error('boom', { error: new Error('disk on fire') });
    const err = entries()[0]?.error as { message: string; stack: string };
    expect(err.message).toBe('disk on fire');
    expect(err.stack).toContain('Error: disk on fire');
  });

  it('parses levels leniently', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(parseLogLevel('warning')).toBe('warn');
    expect(parseLogLevel(undefined)).toBe('info');
  });
});

describe('trace fields', () => {
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  it.each([
    [{ 'x-cloud-trace-context': `${trace}/123;o=1` }, '123'],
    [{ traceparent: `00-${trace}-00f067aa0ba902b7-01` }, '00f067aa0ba902b7'],
  ])('reads %o', (headers, span) => {
    expect(traceFields(headers, 'proj')).toEqual({
      'logging.googleapis.com/trace': `projects/proj/traces/${trace}`,
      'logging.googleapis.com/spanId': span,
    });
  });
  it('is empty without a header, a project or with a malformed value', () => {
    expect(traceFields({}, 'p')).toEqual({});
    expect(traceFields({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }, undefined)).toEqual({});
    expect(traceFields({ traceparent: 'garbage' }, 'p')).toEqual({});
  });
});
