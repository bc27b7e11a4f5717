import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';

const valid = {
  AQ_DB_URL: 'mysql://amavis:pw@127.0.0.1:3306/amavis',
  AQ_IMAP_HOST: 'mail.example.test',
  AQ_PDP: 'tcp://127.0.0.1:9998',
  AQ_SESSION_SECRET: 'x'.repeat(32),
};

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

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
