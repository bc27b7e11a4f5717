import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { problemsOf, VALID_ENV } from '../testing/config-env';

// Storage on PostgreSQL: the ISPConfig lookup database is MySQL whatever the storage is.
const valid = { ...VALID_ENV, AQ_DB_URL: 'postgres://amavis:pw@127.0.0.1:5432/amavis' };

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
