import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { amavisDialect, type Dialect } from '../amavis/dialect';

/** One database advisory lock: its MariaDB/MySQL name (made per database) and its PostgreSQL key. */
export interface AdvisoryLock {
  name: string;
  pgKey: string;
}

/** The list indexer's lock (list-indexer.ts). */
export const LIST_INDEXER_LOCK: AdvisoryLock = { name: 'aq_list_indexer', pgKey: '7165368412034011' };
/** The digest sender's lock (digest/digest-run.ts): one instance sends at a time. */
export const DIGEST_LOCK: AdvisoryLock = { name: 'aq_digest', pgKey: '7165368412034012' };

/**
 * The statements that try a lock without waiting (`got` is 1/true when taken), and release it.
 * MariaDB's lock names are server-wide: the database's name keeps two databases apart (MD5, since MySQL caps
 * names at 64 characters). PostgreSQL's advisory locks are per database already; a transaction-level lock is
 * freed at COMMIT or ROLLBACK, or when the connection drops. SQLite (the demo) has one writer: no lock.
 */
export function advisoryLockSql(dialect: Dialect, lock: AdvisoryLock): { take: string; release?: string } | null {
  if (dialect === 'mariadb' || dialect === 'mysql') {
    const name = `CONCAT('${lock.name}.', MD5(DATABASE()))`;
    return { take: `SELECT GET_LOCK(${name}, 0) AS got`, release: `SELECT RELEASE_LOCK(${name}) AS released` };
  }
  if (dialect === 'postgres') return { take: `SELECT pg_try_advisory_xact_lock(${lock.pgKey}) AS got` };
  return null;
}

/**
 * Runs `work` while this process holds `lock`, on a connection of its own kept in an open transaction
 * (GET_LOCK belongs to a connection, pg_try_advisory_xact_lock to a transaction); `work` uses other
 * connections. Resolves `{ got: false }` at once when another process holds the lock.
 */
export async function withAdvisoryLock<T>(sequelize: Sequelize, lock: AdvisoryLock, work: () => Promise<T>): Promise<{ got: true; value: T } | { got: false }> {
  const sql = advisoryLockSql(await amavisDialect(sequelize), lock);
  if (!sql) return { got: true, value: await work() };
  return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, async (t) => {
    const [row] = await sequelize.query<{ got: number | boolean | null }>(sql.take, { type: QueryTypes.SELECT, transaction: t });
    if (!(row?.got === true || Number(row?.got) === 1)) return { got: false } as const;
    try {
      return { got: true, value: await work() } as const;
    } finally {
      if (sql.release) await sequelize.query(sql.release, { type: QueryTypes.SELECT, transaction: t });
    }
  });
}
