import type { Sequelize } from 'sequelize';
import type { HealthFinding } from '../../shared/health';
import { STATS_PENDING_TABLE, STATS_STATE_TABLE, STATS_TABLE } from './stats-ddl';

/** The rollup's tables and the columns its SQL names (stats-ddl.ts, stats-rollup.ts, stats-query.ts, rs.ts). */
export const STATS_COLUMNS: Record<string, readonly string[]> = {
  [STATS_TABLE]: ['kind', 'scope', 'day_num', 'content', 'quarantined', 'released', 'requested', 'deleted'],
  [STATS_PENDING_TABLE]: ['id', 'day_num', 'rid', 'rdomain', 'content', 'action'],
  [STATS_STATE_TABLE]: ['id', 'counted_id', 'up_to'],
};

export const MIGRATE_FIX = 'run `npm run migrate` (or `npm run migrate -- --print` for the SQL to run as the database owner)';

/**
 * Checks the statistics rollup that `npm run migrate` installs beside the list index: none of its tables is
 * a warning (GET /api/stats answers 503, nothing else suffers); some but not all, or a table without a
 * column we use, is a failure: the indexer and releases then skip the counting (they log it, and never
 * stop for it), so the statistics fall behind without anyone seeing it but here.
 */
export async function checkStatsTables(sequelize: Sequelize): Promise<HealthFinding> {
  const qi = sequelize.getQueryInterface();
  const missingTables: string[] = [];
  const lacking: string[] = [];
  for (const [table, columns] of Object.entries(STATS_COLUMNS)) {
    const described = await qi.describeTable(table).catch(() => undefined);
    if (!described) missingTables.push(table);
    else {
      const missing = columns.filter((c) => !(c in described));
      if (missing.length) lacking.push(`${table} lacks column(s) ${missing.join(', ')}`);
    }
  }
  const tables = Object.keys(STATS_COLUMNS);
  if (missingTables.length === tables.length) {
    return { status: 'warn', message: `the statistics rollup (table ${STATS_TABLE}) is not installed: GET /api/stats answers 503`, hint: MIGRATE_FIX };
  }
  if (missingTables.length || lacking.length) {
    const problems = [...(missingTables.length ? [`table(s) ${missingTables.join(', ')} missing`] : []), ...lacking];
    return {
      status: 'fail',
      message: `the statistics rollup is broken (${problems.join('; ')}): new mail, releases and deletes are not counted`,
      hint: lacking.length
        ? `${MIGRATE_FIX}; a table that lacks columns is not changed by it: drop it first (its counts start again from then)`
        : `${MIGRATE_FIX}: it creates what is missing (a new ${STATS_TABLE} counts from then on)`,
    };
  }
  return { status: 'ok', message: `the statistics rollup has its tables ${tables.join(', ')}` };
}
