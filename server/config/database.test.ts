import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';

const valid = {
  AQ_DB_URL: 'postgres://amavis:pw@127.0.0.1:5432/amavis',
  AQ_IMAP_HOST: 'mail.example.test',
  AQ_PDP: 'tcp://127.0.0.1:9998',
  AQ_SESSION_SECRET: 'x'.repeat(32),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('lookup schema (AQ_LOOKUP_SCHEMA)', () => {
  it('is amavis’s own tables unless told otherwise', () => {
    expect(loadConfig(valid)).toMatchObject({ lookupSchema: 'amavis', lookupDbUrl: valid.AQ_DB_URL });
  });

  it('ispconfig takes ISPConfig’s MySQL database, even when the storage is PostgreSQL', () => {
    const lookup = 'mysql://ispconfig:pw@127.0.0.1:3306/dbispconfig';
    expect(loadConfig({ ...valid, AQ_LOOKUP_SCHEMA: 'ispconfig', AQ_LOOKUP_DB_URL: lookup })).toMatchObject({ lookupSchema: 'ispconfig', lookupDbUrl: lookup });
  });

  it('refuses ispconfig on a PostgreSQL lookup database, and an unknown schema, naming the setting', () => {
    expect(problemsOf({ ...valid, AQ_LOOKUP_SCHEMA: 'ispconfig' })).toEqual([
      expect.stringMatching(/AQ_LOOKUP_SCHEMA=ispconfig needs ISPConfig.*AQ_LOOKUP_DB_URL=mysql:/),
    ]);
    expect(problemsOf({ ...valid, AQ_LOOKUP_SCHEMA: 'modoboa' })).toEqual([expect.stringMatching(/AQ_LOOKUP_SCHEMA must be amavis or ispconfig/)]);
  });
});
