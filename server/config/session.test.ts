import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { problemsOf, VALID_ENV as valid } from '../testing/config-env';

describe('AQ_SESSION_CACHE_MS', () => {
  it('is 3 s unless set; 0 turns the cache off', () => {
    expect(loadConfig(valid).session.cacheMs).toBe(3_000);
    expect(loadConfig({ ...valid, AQ_SESSION_CACHE_MS: '0' }).session.cacheMs).toBe(0);
    expect(loadConfig({ ...valid, AQ_SESSION_CACHE_MS: '60000' }).session.cacheMs).toBe(60_000);
  });

  it('refuses what is not a whole number of ms, and more than a minute (a sign-out would reach other instances that late)', () => {
    expect(problemsOf({ ...valid, AQ_SESSION_CACHE_MS: '2s' })).toEqual([expect.stringMatching(/AQ_SESSION_CACHE_MS must be a whole number of milliseconds/)]);
    expect(problemsOf({ ...valid, AQ_SESSION_CACHE_MS: '60001' })).toEqual([expect.stringMatching(/AQ_SESSION_CACHE_MS must be at most 60000/)]);
  });
});
