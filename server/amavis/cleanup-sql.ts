import { UniqueConstraintError, type Sequelize } from 'sequelize';
import { createAddressCleanupSql, type AddressCleanupSql } from './cleanup-address-sql';
import { createMessageCleanupSql, type MessageCleanupSql } from './cleanup-message-sql';
import { createCleanupDb, type CleanupTransaction } from './cleanup-query';
import { createStatsCleanupSql, type StatsCleanupSql } from './cleanup-stats-sql';
import { STATS_TABLE } from './stats-ddl';

export type { MaddrRow } from './cleanup-address-sql';
export type { ChildTable, MessageTable, RecipientGroup } from './cleanup-message-sql';
export type { CleanupTransaction, MailId, MessageKey } from './cleanup-query';
export type { StatsScopeKey } from './cleanup-stats-sql';

/** Everything the retention cleanup reads and writes in amavis's database: its storage tables (msgs, msgrcpt, quarantine, maddr) and our statistics rollup. */
export interface CleanupStore {
  messages: MessageCleanupSql;
  addresses: AddressCleanupSql;
  /** aq_stats, the statistics rollup `npm run migrate` adds beside amavis's tables. */
  stats: StatsCleanupSql;
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (t: CleanupTransaction) => Promise<T>): Promise<T>;
  /** True for deadlocks, lock wait timeouts and serialization failures: the transaction is safe to run again. */
  isLockConflict(err: unknown): boolean;
  /** True when a statement broke a unique key (e.g. amavisd inserted the same maddr address first). */
  isDuplicateKey(err: unknown): boolean;
}

/** Creates the cleanup's store on amavis's database. */
export function createCleanupStore(sequelize: Sequelize): CleanupStore {
  const db = createCleanupDb(sequelize);
  return {
    messages: createMessageCleanupSql(db),
    addresses: createAddressCleanupSql(db),
    stats: createStatsCleanupSql(db, sequelize.getDialect(), () => sequelize.getQueryInterface().tableExists(STATS_TABLE)),
    transaction: (work) => sequelize.transaction((t) => work(t)),
    isLockConflict(err) {
      const parent = (err as { parent?: { errno?: number; code?: string } }).parent;
      // MariaDB/MySQL: deadlock, lock wait timeout. PostgreSQL: deadlock, serialization failure, lock not available.
      return parent?.errno === 1213 || parent?.errno === 1205 || ['40P01', '40001', '55P03'].includes(parent?.code ?? '');
    },
    isDuplicateKey: (err) => err instanceof UniqueConstraintError,
  };
}
