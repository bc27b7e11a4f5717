import { onPostgres, stackEnv } from './stack';

// The few places where a test meets the dialect of this run's amavis database (AQ_TEST_DB) itself.
// Everything else goes through the server, the models of amavis-models.ts, or portable SQL.

/**
 * A URL of this run's database server that no connection gets through: a wrong password on MariaDB; a
 * role that does not exist on PostgreSQL, whose loopback may be `trust` in pg_hba.conf (then no password
 * is checked, and only an unknown role is refused).
 */
export function refusedDbUrl(): string {
  const url = new URL(stackEnv().AQ_DB_URL);
  url.username = onPostgres ? 'aq_no_such_role' : url.username;
  url.password = 'wrong-password';
  return url.toString();
}

/** What the database answers a connection to refusedDbUrl(). */
export const REFUSED_DB_ERROR = onPostgres ? /password authentication failed for user "aq_no_such_role"|role "aq_no_such_role" does not exist/ : /Access denied/;
