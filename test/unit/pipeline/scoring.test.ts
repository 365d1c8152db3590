import { describe, expect, it } from 'vitest';
import { lastNumber, normalizeAnswer, scoreAnswer } from '../../../functions/pipeline/scoring.ts';
import type { Json } from '../../../functions/pipeline/types.ts';

describe('scoreAnswer', () => {
  it.each<[Json, string | undefined, boolean, string]>([
    ['Paris', 'Paris', true, 'exact'],
    ['Paris', '  **paris**. ', true, 'exact'],
    ['Paris', 'Let me think.\nThe capital is...\nParis', true, 'final_line'],
    ['Paris', 'Reasoning...\nAnswer: Paris.', true, 'final_line'],
    ['Paris', 'Paris is not it, London', false, 'final_line'],
    ['Paris', undefined, false, 'no_answer'],
    [42, 'The result is 42.', true, 'number'],
    [42, 'First 41, then 42', true, 'number'],
    [42, '42 is close to 43', false, 'number'],
    [42, 'no digits', false, 'number'],
    [
      12586269025,
      "I'll compute Fibonacci number 50 iteratively.The result is 12586269025.",
      true,
      'number',
    ],
    // 123456789 * 987654321 is above 2^53: both sides round to the same double.
    [Number('121932631112635269'), 'The result is 121932631112635269.', true, 'number'],
    [1234567, 'It is 1,234,567', true, 'number'],
    [0.1, 'about 0.1000000001', true, 'number'],
    [0.1, 'about 0.1001', false, 'number'],
    [-3.5, 'x = -3.5', true, 'number'],
    [1e21, 'roughly 1e21', true, 'number'],
    [{ number: 3.14, tolerance: 0.01 }, 'pi is 3.1416', true, 'number'],
    [{ number: 3.14 }, 'pi is 3.1416', false, 'number'],
    [{ equals: 'Yes' }, ' yes. ', true, 'equals'],
    [{ equals: 'Yes' }, 'yes, I think', false, 'equals'],
    [{ equals: 5 }, '5', true, 'equals'],
    [{ contains: '[1, 3, 5, 9]' }, 'Sorted: [1, 3, 5, 9].', true, 'contains'],
    [{ contains: 'PRIME' }, 'it is prime', true, 'contains'],
    [{ contains: 'x' }, 'nothing', false, 'contains'],
    [{ regex: '^The result is \\d+' }, 'The result is 24133.', true, 'regex'],
    [{ regex: 'result', flags: 'i' }, 'RESULT', true, 'regex'],
    [{ regex: 'result' }, 'RESULT', false, 'regex'],
    [{ regex: '(' }, 'x', false, 'regex (invalid pattern)'],
    [
      { oneOf: ['yes', { contains: 'affirmative' }] },
      'Affirmative, captain',
      true,
      'oneOf:contains',
    ],
    [['4', 4], 'four is 4', true, 'oneOf:number'],
    [{ oneOf: ['a', 'b'] }, 'c', false, 'oneOf:final_line'],
    [true, 'true', false, 'unsupported'],
    [{ unknown: 1 }, 'x', false, 'unsupported'],
  ])('%j vs %j → %s (%s)', (expected, text, pass, method) => {
    expect(scoreAnswer(expected, text)).toEqual({ expected, pass, method });
  });

  it.each([
    ['The result is 24133.', 24133],
    ['-7 and 8.5', 8.5],
    ['1,000,000 items', 1_000_000],
    ['2.5e-3', 0.0025],
    ['none', undefined],
  ])('lastNumber(%j) = %s', (text, n) => {
    expect(lastNumber(text)).toBe(n);
  });

  it('normalises emphasis, case, spaces and final punctuation', () => {
    expect(normalizeAnswer('  The **Answer**\n is  `X`!! ')).toBe('the answer is x');
  });
});
