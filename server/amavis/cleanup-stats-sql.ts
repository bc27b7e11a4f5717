import { sqlLimit, type CleanupDb, type CleanupTransaction } from './cleanup-query';
import { STATS_TABLE } from './stats-ddl';

/** One scope of the statistics rollup (kind 'r' a recipient, 'd' a domain, 's' the site): a prefix of aq_stats's primary key. */
export interface StatsScopeKey {
  kind: string;
  scope: string;
}

/**
 * The statements that prune aq_stats (stats-ddl.ts). Its primary key is (kind, scope, day_num, content), so
 * a scope's old days are the start of its key range: the walk seeks from scope to scope (one row each) and
 * reads and deletes only ranges of old days. No statement scans the table, and none needs another index.
 */
export interface StatsCleanupSql {
  /** False until `npm run migrate` has created the rollup: then there is nothing to prune. */
  exists(): Promise<boolean>;
  /** The scope after `after` in primary key order, with its oldest day; undefined after the last one. */
  nextScope(after: StatsScopeKey | undefined): Promise<(StatsScopeKey & { day_num: number }) | undefined>;
  /** The days of a scope's rows before `beforeDay`, oldest first, one per row, at most `limit`. */
  oldDays(scope: StatsScopeKey, beforeDay: number, limit: number): Promise<number[]>;
  /** How many of a scope's rows are before `beforeDay` (a dry run). */
  countOld(scope: StatsScopeKey, beforeDay: number): Promise<number>;
  /** Deletes a scope's rows of `throughDay` and the days before it. */
  deleteThrough(scope: StatsScopeKey, throughDay: number, t?: CleanupTransaction): Promise<number>;
}

/** Creates the statements; `postgres` writes the seek as a row comparison, which PostgreSQL reads as one index range. */
export function createStatsCleanupSql(db: CleanupDb, dialect: string, tableExists: () => Promise<boolean>): StatsCleanupSql {
  // MariaDB is slow on row comparisons (list-index-query.ts): there the seek is written out.
  const afterScope = dialect === 'postgres' ? '(kind, scope) > (:kind, :scope)' : '(kind > :kind OR (kind = :kind AND scope > :scope))';
  const inScope = 'kind = :kind AND scope = :scope';
  return {
    exists: tableExists,
    async nextScope(after) {
      const [row] = await db.select<StatsScopeKey & { day_num: number | string }>(
        `SELECT kind, scope, day_num FROM ${STATS_TABLE}${after ? ` WHERE ${afterScope}` : ''} ORDER BY kind, scope, day_num LIMIT 1`,
        after ? { ...after } : {},
      );
      return row && { kind: String(row.kind), scope: String(row.scope), day_num: Number(row.day_num) };
    },
    async oldDays(scope, beforeDay, limit) {
      const rows = await db.select<{ day_num: number | string }>(
        `SELECT day_num FROM ${STATS_TABLE} WHERE ${inScope} AND day_num < :beforeDay ORDER BY day_num, content LIMIT ${sqlLimit(limit)}`,
        { ...scope, beforeDay },
      );
      return rows.map((r) => Number(r.day_num));
    },
    async countOld(scope, beforeDay) {
      const [row] = await db.select<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${STATS_TABLE} WHERE ${inScope} AND day_num < :beforeDay`, {
        ...scope,
        beforeDay,
      });
      return Number(row?.n ?? 0);
    },
    deleteThrough: (scope, throughDay, t) => db.exec(`DELETE FROM ${STATS_TABLE} WHERE ${inScope} AND day_num <= :throughDay`, { ...scope, throughDay }, t),
  };
}
