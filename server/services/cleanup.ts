import type { CleanupStore } from '../amavis/cleanup-sql';
import type { AuditLog } from '../db/audit-log';
import { cleanAddresses } from './cleanup-addresses';
import { createMessageSteps } from './cleanup-messages';
import { emptyCleanupReport, type CleanupReport } from './cleanup-report';
import { pruneStats, statsKeptFromDay } from './cleanup-stats';

export type { CleanupReport, MessageCounts } from './cleanup-report';

/**
 * The retention cleanup of amavis's storage tables, of our audit log and of the statistics rollup's old days.
 *
 * It follows amavisd-new's own recipe (README.sql-mysql: old msgs by time_num, then msgrcpt and
 * quarantine rows without msgs, then maddr rows that msgs.sid and msgrcpt.rid no longer use), but
 * never as one big DELETE: amavisd keeps writing while we run. Every set of rows is found by a read
 * that takes no locks (InnoDB consistent reads), walking an index in key order a chunk at a time, and
 * then removed by key in one short transaction per batch. No statement scans a whole table, and no lock
 * lasts longer than one batch. The statements are the store's (server/amavis/cleanup-sql.ts); this
 * module and its steps decide what goes, in which order, and in which batches.
 */
export interface Cleanup {
  /** Runs every step once; with dryRun, counts what it would delete and deletes nothing. */
  run(options: CleanupRunOptions): Promise<CleanupReport>;
}

export interface CleanupOptions {
  retentionDays: number;
  auditRetentionDays: number;
  /** maddr rows that amavisd allocated less than this long ago are never deleted (default 3600 s). */
  addressGraceSeconds?: number;
  /** How long to wait for mail amavisd is processing before checking deleted addresses (default 120 s). */
  settleTimeoutMs?: number;
}

export interface CleanupRunOptions {
  dryRun: boolean;
  /** The clock for the retention cutoffs (tests); the live-traffic guards always use the real clock. */
  now?: Date;
  /** Messages (or addresses, or audit entries) per transaction; DEFAULT_BATCH_SIZE by default. */
  batchSize?: number;
}

/** What the cleanup works on: amavis's storage (through its store) and our own tables. */
export interface CleanupDeps {
  store: CleanupStore;
  auditLog: AuditLog;
}

/**
 * Messages per delete transaction. Deleting costs about 0.5 ms a message on a small server with a cold
 * buffer pool (the rows are old, so their pages are rarely cached), nearly all of it linear: 100 keeps
 * each transaction, and so each lock, around 50 ms at no real cost in throughput.
 */
export const DEFAULT_BATCH_SIZE = 100;
// Rows read per index walk query (a consistent read: no locks); deletes go by the batch size.
const SCAN_CHUNK = 2000;

/** The cutoffs of one run: msgs.time_num (seconds) and aq_audit.at. */
export function cleanupCutoffs(now: Date, retentionDays: number, auditRetentionDays: number): { messages: number; audit: Date } {
  const day = 86_400_000;
  return { messages: Math.floor((now.getTime() - retentionDays * day) / 1000), audit: new Date(now.getTime() - auditRetentionDays * day) };
}

/** Creates the cleanup over amavis's database and our app tables. */
export function createCleanup({ store, auditLog }: CleanupDeps, options: CleanupOptions): Cleanup {
  const graceSeconds = options.addressGraceSeconds ?? 3600;
  const settleTimeoutMs = options.settleTimeoutMs ?? 120_000;

  return {
    async run({ dryRun, now = new Date(), batchSize = DEFAULT_BATCH_SIZE }) {
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('cleanup: batchSize must be a whole number above 0');
      const started = Date.now();
      const cutoff = cleanupCutoffs(now, options.retentionDays, options.auditRetentionDays);
      const statsBefore = statsKeptFromDay(now);
      const report = emptyCleanupReport({
        dryRun,
        retentionDays: options.retentionDays,
        auditRetentionDays: options.auditRetentionDays,
        messagesBefore: new Date(cutoff.messages * 1000).toISOString(),
        auditBefore: cutoff.audit.toISOString(),
        statsBefore: new Date(statsBefore * 86_400_000).toISOString().slice(0, 10),
      });
      const messages = createMessageSteps(store, { dryRun, batchSize, scanChunk: SCAN_CHUNK, cutoffSeconds: cutoff.messages });

      // 1. Expired messages (content NULL ones too: older than the retention, amavisd gave up on them).
      await messages.removeExpired(report.expired);
      // 2. One walk over msgrcpt: orphans, and quarantined mail that every recipient deleted.
      await messages.removeByRecipients(report);
      // 3. quarantine rows without a msgs row (e.g. msgs deleted by another tool).
      await messages.removeQuarantineOrphans(report);
      // 4. Addresses no message uses any more.
      await cleanAddresses(store, report, { dryRun, batchSize, scanChunk: SCAN_CHUNK, graceSeconds, settleTimeoutMs });
      // 5. Our audit log.
      report.audit.rows = await auditLog.purgeBefore(cutoff.audit, { dryRun, batchSize });
      // 6. Days of the statistics rollup older than any period GET /api/stats shows.
      await pruneStats(store, report, { dryRun, batchSize, beforeDay: statsBefore });

      report.durationMs = Date.now() - started;
      return report;
    },
  };
}
