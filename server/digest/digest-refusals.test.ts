import { describe, expect, it } from 'vitest';
import { MAX_REFUSAL_WAIT_MS, refusalWaitMs } from './digest-refusals';
import { PERIOD } from './digest-run';

const DAY = 86_400_000;

describe('refusalWaitMs', () => {
  it('waits one period after the first refusal, then twice as long after each one in a row, at most 30 days', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => refusalWaitMs(PERIOD.daily, n) / DAY)).toEqual([1, 2, 4, 8, 16, 30, 30]);
    expect([1, 2, 3, 4].map((n) => refusalWaitMs(PERIOD.weekly, n) / DAY)).toEqual([7, 14, 28, 30]);
    expect(refusalWaitMs(PERIOD['4h'], 3)).toBe(16 * 3_600_000);
    expect(refusalWaitMs(PERIOD['4h'], 100)).toBe(MAX_REFUSAL_WAIT_MS);
  });
});
