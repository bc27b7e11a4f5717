import { dbUrl, type EnvOf } from './fields';
import type { Config } from './types';

/** amavis's storage database, and the one for our own tables (the same unless told otherwise). */
export const databaseFields = {
  AQ_DB_URL: dbUrl('AQ_DB_URL'),
  AQ_APP_DB_URL: dbUrl('AQ_APP_DB_URL').optional(),
};

/** The database part of the Config. */
export function databaseConfig(env: EnvOf<typeof databaseFields>): Pick<Config, 'dbUrl' | 'appDbUrl'> {
  return { dbUrl: env.AQ_DB_URL, appDbUrl: env.AQ_APP_DB_URL ?? env.AQ_DB_URL };
}
