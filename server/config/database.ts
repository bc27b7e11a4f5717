import { z } from 'zod';
import { LOOKUP_SCHEMAS, type LookupSchema } from '../lookup/lookup-store';
import { dbUrl, milliseconds, positiveInt, type EnvOf } from './fields';
import type { Config } from './types';

/** How much of the database the server may use, and for how long (see README, Deployment: capacity). */
export interface DatabaseLimits {
  /** The longest a statement may run (MariaDB max_statement_time); the client gives up a little later. */
  statementTimeoutMs: number;
  /** Connections for everything but listings: sign-in, sessions, views, releases, the audit log. */
  poolMax: number;
  /** Connections for listings, a pool of their own so that they can never starve the rest. */
  listPoolMax: number;
  /** How long a request waits for a free connection before it is answered 503 busy. */
  acquireTimeoutMs: number;
  /** Concurrent listings of one session; the excess is answered 429 busy. */
  listsPerSession: number;
  /** How often this instance's list indexer takes its turn (list-indexer.ts); 0: it never does. */
  listIndexIntervalMs: number;
}

/**
 * amavis's storage database, the one for our own tables, and amavis's lookup database (@lookup_sql_dsn:
 * users, mailaddr, wblist, policy); the latter two are the storage one unless told otherwise.
 */
export const databaseFields = {
  AQ_DB_URL: dbUrl('AQ_DB_URL'),
  AQ_APP_DB_URL: dbUrl('AQ_APP_DB_URL').optional(),
  AQ_LOOKUP_DB_URL: dbUrl('AQ_LOOKUP_DB_URL').optional(),
  AQ_LOOKUP_SCHEMA: z.enum(LOOKUP_SCHEMAS, `AQ_LOOKUP_SCHEMA must be ${LOOKUP_SCHEMAS.join(' or ')}`).optional(),
  AQ_DB_STATEMENT_TIMEOUT_MS: positiveInt('AQ_DB_STATEMENT_TIMEOUT_MS').optional(),
  AQ_DB_POOL_MAX: positiveInt('AQ_DB_POOL_MAX').optional(),
  AQ_DB_LIST_POOL_MAX: positiveInt('AQ_DB_LIST_POOL_MAX').optional(),
  AQ_DB_ACQUIRE_TIMEOUT_MS: milliseconds().optional(),
  AQ_LIST_MAX_PER_SESSION: positiveInt('AQ_LIST_MAX_PER_SESSION').optional(),
  AQ_LIST_INDEX_INTERVAL_MS: milliseconds().optional(),
};

/** ISPConfig keeps its tables in MySQL/MariaDB only: a PostgreSQL or SQLite lookup database cannot hold them. */
export function checkDatabaseSettings(env: EnvOf<typeof databaseFields>, ctx: z.RefinementCtx): void {
  const lookupUrl = env.AQ_LOOKUP_DB_URL ?? env.AQ_DB_URL;
  if (env.AQ_LOOKUP_SCHEMA === 'ispconfig' && !/^(mysql|mariadb):/.test(lookupUrl)) {
    ctx.addIssue({
      code: 'custom',
      path: ['AQ_LOOKUP_SCHEMA'],
      message: 'AQ_LOOKUP_SCHEMA=ispconfig needs ISPConfig’s MySQL/MariaDB database: set AQ_LOOKUP_DB_URL=mysql://…/dbispconfig',
    });
  }
}

/** The database part of the Config. */
export function databaseConfig(
  env: EnvOf<typeof databaseFields>,
): Pick<Config, 'dbUrl' | 'appDbUrl' | 'lookupDbUrl'> & { db: DatabaseLimits; lookupSchema: LookupSchema } {
  return {
    dbUrl: env.AQ_DB_URL,
    appDbUrl: env.AQ_APP_DB_URL ?? env.AQ_DB_URL,
    lookupDbUrl: env.AQ_LOOKUP_DB_URL ?? env.AQ_DB_URL,
    lookupSchema: env.AQ_LOOKUP_SCHEMA ?? 'amavis',
    db: {
      statementTimeoutMs: env.AQ_DB_STATEMENT_TIMEOUT_MS ?? 15_000,
      poolMax: env.AQ_DB_POOL_MAX ?? 10,
      listPoolMax: env.AQ_DB_LIST_POOL_MAX ?? 4,
      acquireTimeoutMs: env.AQ_DB_ACQUIRE_TIMEOUT_MS ?? 10_000,
      listsPerSession: env.AQ_LIST_MAX_PER_SESSION ?? 2,
      listIndexIntervalMs: env.AQ_LIST_INDEX_INTERVAL_MS ?? 1_000,
    },
  };
}
