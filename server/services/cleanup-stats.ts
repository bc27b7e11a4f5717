import type { CleanupStore, StatsScopeKey } from '../amavis/cleanup-sql';
import { cleanupBatch } from './cleanup-batch';
import type { CleanupReport } from './cleanup-report';
import { MAX_STATS_DAYS } from './stats';

/**
 * Days of the statistics rollup kept beyond the longest period GET /api/stats shows: a week, so that an
 * instance whose clock runs ahead of the cleanup's, or a run at midnight UTC, never takes a day the API
 * still shows. Older rows only take space: nothing reads them.
 */
export const STATS_MARGIN_DAYS = 7;

/** The first UTC day number the cleanup keeps in aq_stats: older days go. */
export function statsKeptFromDay(now: Date): number {
  const today = Math.floor(now.getTime() / 86_400_000);
  return today - (MAX_STATS_DAYS - 1) - STATS_MARGIN_DAYS;
}

/**
 * Step 6: the rollup's days before `beforeDay`. Scope by scope along the primary key (the old days of each
 * are the start of its range), deleted by day ranges in transactions of about `batchSize` rows (a range
 * ends on a whole day: a few rows more, one per type at most). The indexer may write an old day again
 * (a release of a message older than the window, when AQ_RETENTION_DAYS keeps mail that long): the next
 * run takes that row too.
 */
export async function pruneStats(
  store: CleanupStore,
  report: CleanupReport,
  { dryRun, batchSize, beforeDay }: { dryRun: boolean; batchSize: number; beforeDay: number },
) {
  const sql = store.stats;
  if (!(await sql.exists())) return;
  let queued: Array<{ scope: StatsScopeKey; through: number }> = [];
  let queuedRows = 0;
  const flush = async () => {
    const ranges = queued;
    queued = [];
    queuedRows = 0;
    if (!ranges.length) return;
    report.stats.rows += await cleanupBatch(store, false, async (t) => {
      let rows = 0;
      for (const { scope, through } of ranges) rows += await sql.deleteThrough(scope, through, t);
      return rows;
    });
  };
  for (let after: StatsScopeKey | undefined; ;) {
    const next = await sql.nextScope(after);
    if (!next) break;
    after = { kind: next.kind, scope: next.scope };
    if (next.day_num >= beforeDay) continue;
    report.stats.scopes++;
    if (dryRun) {
      report.stats.rows += await sql.countOld(after, beforeDay);
      continue;
    }
    for (;;) {
      const days = await sql.oldDays(after, beforeDay, batchSize);
      if (!days.length) break;
      queued.push({ scope: after, through: days.at(-1)! });
      queuedRows += days.length;
      // A full page means this scope has more: its rows must be gone before the next page is read.
      if (queuedRows >= batchSize) await flush();
      if (days.length < batchSize) break;
    }
  }
  await flush();
}
