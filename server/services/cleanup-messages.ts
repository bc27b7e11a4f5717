import type { ChildTable, CleanupStore, CleanupTransaction, MailId, MessageKey, MessageTable, RecipientGroup } from '../amavis/cleanup-sql';
import { cleanupBatch } from './cleanup-batch';
import { byPartition, keyOf } from './cleanup-keys';
import { addSample, type CleanupReport, type MessageCounts } from './cleanup-report';

/** What the message steps of one run need to know. */
export interface MessageStepSettings {
  dryRun: boolean;
  /** Messages per delete transaction. */
  batchSize: number;
  /** Rows read per index walk query (a consistent read: no locks). */
  scanChunk: number;
  /** msgs.time_num before which a message is expired. */
  cutoffSeconds: number;
}

/** The steps over whole messages: expired ones, orphaned child rows, quarantined mail every recipient deleted. */
export interface MessageSteps {
  /** Step 1: expired messages, oldest first by the time_num index, content NULL ones included. */
  removeExpired(counts: MessageCounts): Promise<void>;
  /** Step 2: one walk over msgrcpt by its primary key: orphaned rows, and quarantined messages every recipient deleted. */
  removeByRecipients(report: CleanupReport): Promise<void>;
  /** Step 3: quarantine rows without a msgs row. */
  removeQuarantineOrphans(report: CleanupReport): Promise<void>;
}

/**
 * Decides a message's fate from its recipient rows: an orphan (no msgs row), a quarantined message every
 * recipient deleted, or kept. Expired messages are the time walk's, so they are not counted twice here.
 */
export function fateOfRecipientGroup(group: RecipientGroup, cutoffSeconds: number): 'orphan' | 'all-deleted' | 'keep' {
  if (group.time_num === null) return 'orphan';
  // content NULL is mail amavisd is still processing: never touch it here.
  const quarantined = group.content !== null && group.quar_type === 'Q';
  if (quarantined && group.rows > 0 && group.open === 0 && group.time_num >= cutoffSeconds) return 'all-deleted';
  return 'keep';
}

/** Creates the message steps of one run. */
export function createMessageSteps(store: CleanupStore, { dryRun, batchSize, scanChunk, cutoffSeconds }: MessageStepSettings): MessageSteps {
  const sql = store.messages;

  /** One short transaction (none in a dry run); retried when it lost a deadlock against amavisd. */
  const batch = <T>(work: (t: CleanupTransaction | undefined) => Promise<T>): Promise<T> => cleanupBatch(store, dryRun, work);

  /** Deletes, or in a dry run counts, one table's rows of these messages. */
  const purge = (table: MessageTable, p: number, ids: MailId[], t?: CleanupTransaction, orphansOnly = false): Promise<number> =>
    dryRun ? sql.countRows(table, p, ids, orphansOnly) : sql.deleteRows(table, p, ids, t, orphansOnly);

  /**
   * Removes whole messages in one transaction: `confirm` re-reads (and locks) what made them eligible,
   * so a row that changed since the walk read it is left alone. Children go first, msgs last, like
   * amavisd's writes in reverse.
   */
  async function removeMessages(keys: MessageKey[], counts: MessageCounts, confirm: (p: number, ids: MailId[], t?: CleanupTransaction) => Promise<MailId[]>) {
    for (let i = 0; i < keys.length; i += batchSize) {
      await batch(async (t) => {
        for (const [p, candidates] of byPartition(keys.slice(i, i + batchSize))) {
          const ids = await confirm(p, candidates, t);
          if (ids.length === 0) continue;
          counts.quarantineRows += await purge('quarantine', p, ids, t);
          counts.recipientRows += await purge('msgrcpt', p, ids, t);
          counts.messages += await purge('msgs', p, ids, t);
          addSample(counts.sample, ids);
        }
      });
    }
  }

  /** Deletes (or counts) a child table's rows of messages that have no msgs row, a batch per statement. */
  async function removeOrphans(table: ChildTable, groups: MessageKey[], counts: { rows: number; messages: number; sample: string[] }) {
    for (const [p, ids] of byPartition(groups)) {
      for (let i = 0; i < ids.length; i += batchSize) {
        // One statement: the NOT EXISTS is checked again as the rows are deleted.
        counts.rows += await purge(table, p, ids.slice(i, i + batchSize), undefined, true);
      }
      counts.messages += ids.length;
      addSample(counts.sample, ids);
    }
  }

  /** Walks a child table (msgrcpt or quarantine) a chunk of messages at a time, joined to msgs. */
  async function walkMessages(table: ChildTable, handle: (groups: Array<MessageKey & RecipientGroup>) => Promise<void>) {
    let after: { p: number; m: MailId } | undefined;
    for (;;) {
      const groups = await sql.groupsAfter(table, after, scanChunk);
      await handle(groups);
      const last = groups.at(-1);
      if (!last || groups.length < scanChunk) break;
      after = { p: last.partition_tag, m: last.mail_id };
    }
  }

  return {
    async removeExpired(counts) {
      let cursor: { t: number; p: number; m: MailId } | undefined;
      for (;;) {
        const rows = await sql.expiredAfter(cutoffSeconds, cursor, scanChunk);
        await removeMessages(rows, counts, (p, ids, t) => sql.stillExpired(p, ids, cutoffSeconds, t));
        const last = rows.at(-1);
        if (!last || rows.length < scanChunk) break;
        cursor = { t: Number(last.time_num), p: Number(last.partition_tag), m: last.mail_id };
      }
    },

    async removeByRecipients(report) {
      await walkMessages('msgrcpt', async (groups) => {
        await removeOrphans(
          'msgrcpt',
          groups.filter((g) => fateOfRecipientGroup(g, cutoffSeconds) === 'orphan'),
          report.orphanRecipients,
        );
        const allDeleted = groups.filter((g) => fateOfRecipientGroup(g, cutoffSeconds) === 'all-deleted');
        await removeMessages(allDeleted, report.allDeleted, async (p, ids, t) => {
          // Locked re-read: a row that is no longer 'D' (or a new one) keeps the whole message.
          const rows = await sql.recipientStates(p, ids, t);
          const open = new Set(rows.filter((r) => r.rs !== 'D').map((r) => keyOf({ partition_tag: p, mail_id: r.mail_id })));
          const present = new Set(rows.map((r) => keyOf({ partition_tag: p, mail_id: r.mail_id })));
          return ids.filter((m) => present.has(keyOf({ partition_tag: p, mail_id: m })) && !open.has(keyOf({ partition_tag: p, mail_id: m })));
        });
      });
    },

    async removeQuarantineOrphans(report) {
      await walkMessages('quarantine', (groups) =>
        removeOrphans(
          'quarantine',
          groups.filter((g) => g.time_num === null),
          report.orphanQuarantine,
        ),
      );
    },
  };
}
