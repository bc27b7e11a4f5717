import { QueryTypes, type Sequelize } from 'sequelize';
import { onPostgres, stackEnv } from './stack';

// The few places where a test meets the dialect of this run's amavis database (AQ_TEST_DB) itself: a
// refused connection, and the statements that test the database's own limits. Everything else goes
// through the server, the models of amavis-models.ts, or SQL that both databases take.

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

/** A statement that does nothing but wait on the database server for `seconds`. */
export const sleepStatement = (seconds: number) => (onPostgres ? `SELECT pg_sleep(${seconds})` : `SELECT SLEEP(${seconds})`);

/** The id the database server knows the connection by: what statementKiller() takes (thread id, backend pid). */
export async function connectionIdOf(sequelize: Sequelize): Promise<number> {
  const sql = onPostgres ? 'SELECT pg_backend_pid() AS id' : 'SELECT CONNECTION_ID() AS id';
  const [row] = await sequelize.query<{ id: number | string }>(sql, { type: QueryTypes.SELECT });
  return Number(row?.id);
}

/** Whether the connection with that id is running a sleepStatement() now (its own user may see it). */
export async function sleepingOn(sequelize: Sequelize, id: number): Promise<boolean> {
  const sql = onPostgres
    ? "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = :id AND state = 'active' AND query LIKE 'SELECT pg_sleep(%'"
    : "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = :id AND INFO LIKE 'SELECT SLEEP(%'";
  const [row] = await sequelize.query<{ n: number | string }>(sql, { type: QueryTypes.SELECT, replacements: { id } });
  return Number(row?.n) === 1;
}

/** What the database server says when it stops a statement: for its own time limit, or asked by another connection. */
export const STATEMENT_STOPPED = onPostgres
  ? { byTimeLimit: /canceling statement due to statement timeout/, byRequest: /canceling statement due to user request/ }
  : { byTimeLimit: /Query execution was interrupted \(max_statement_time exceeded\)/, byRequest: /^Query execution was interrupted$/ };
