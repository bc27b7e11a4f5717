import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type { AppModels } from '../db/app-models';

/**
 * The retention cleanup of amavis's storage tables and of our audit log.
 *
 * It follows amavisd-new's own recipe (README.sql-mysql: old msgs by time_num, then msgrcpt and
 * quarantine rows without msgs, then maddr rows that msgs.sid and msgrcpt.rid no longer use), but
 * never as one big DELETE: amavisd keeps writing while we run. Every set of rows is found by a read
 * that takes no locks (InnoDB consistent reads), walking an index in key order a chunk at a time, and
 * then removed by key in one short transaction per batch. No statement scans a whole table, and no lock
 * lasts longer than one batch.
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

/** Rows of whole messages: msgs, and their msgrcpt and quarantine rows. */
export interface MessageCounts {
  messages: number;
  recipientRows: number;
  quarantineRows: number;
  sample: string[];
}

export interface CleanupReport {
  dryRun: boolean;
  retentionDays: number;
  auditRetentionDays: number;
  /** Messages received before this are expired. */
  messagesBefore: string;
  auditBefore: string;
  expired: MessageCounts;
  /** Quarantined messages whose every recipient row is marked deleted (rs='D'). */
  allDeleted: MessageCounts;
  /** msgrcpt rows whose message (msgs row) is gone. */
  orphanRecipients: { rows: number; messages: number; sample: string[] };
  /** quarantine rows whose message (msgs row) is gone. */
  orphanQuarantine: { rows: number; messages: number; sample: string[] };
  /** maddr rows used by no msgs.sid and no msgrcpt.rid, up to horizonId (see addressHorizon). */
  addresses: { rows: number; restored: number; horizonId: string | null; sample: string[] };
  audit: { rows: number };
  warnings: string[];
  durationMs: number;
}

/** What a message's recipient rows say about it (one row of the msgrcpt walk). */
export interface RecipientGroup {
  /** msgs.time_num, or null when the message has no msgs row. */
  time_num: number | null;
  content: string | null;
  quar_type: string | null;
  rows: number;
  /** Rows whose rs is not 'D'. */
  open: number;
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

/** The cutoffs of one run: msgs.time_num (seconds) and aq_audit.at. */
export function cleanupCutoffs(now: Date, retentionDays: number, auditRetentionDays: number): { messages: number; audit: Date } {
  const day = 86_400_000;
  return { messages: Math.floor((now.getTime() - retentionDays * day) / 1000), audit: new Date(now.getTime() - auditRetentionDays * day) };
}

/** A deleted maddr row, kept until we know no message amavisd was processing still used it. */
export interface DeletedAddress {
  id: string;
  partition_tag: number;
  email: Buffer | string;
  domain: string;
}

type MailId = Buffer | string;
type Key = { partition_tag: number; mail_id: MailId };

/**
 * Messages per delete transaction. Deleting costs about 0.5 ms a message on a small server with a cold
 * buffer pool (the rows are old, so their pages are rarely cached), nearly all of it linear: 100 keeps
 * each transaction, and so each lock, around 50 ms at no real cost in throughput.
 */
export const DEFAULT_BATCH_SIZE = 100;
// Rows read per index walk query (a consistent read: no locks); deletes go by the batch size.
const SCAN_CHUNK = 2000;
// amavisd kills a child after $child_timeout (8 min by default): mail whose msgs row has been content
// NULL for longer will never be finished.
const IN_FLIGHT_SECONDS = 15 * 60;
// Deleted addresses are checked (and memory freed) at least this often.
const ADDRESS_CHECKPOINT = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (v: MailId) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const keyOf = (k: Key) => `${k.partition_tag}:${Buffer.isBuffer(k.mail_id) ? k.mail_id.toString('hex') : k.mail_id}`;
/** maddr ids are BIGINT UNSIGNED, read as strings; they go into SQL as checked digits, never as floats. */
const sqlIds = (ids: readonly (string | number)[]) =>
  ids.map((id) => {
    if (!/^\d+$/.test(String(id))) throw new Error(`cleanup: not a maddr id: ${String(id)}`);
    return String(id);
  }).join(', ');
/** Keeps the first five mail_ids (or maddr ids) of a category, for the report. */
const addSample = (sample: string[], values: readonly MailId[]) => sample.push(...values.slice(0, Math.max(0, 5 - sample.length)).map(text));
const afterKey = (alias: string) => ` ${alias}.partition_tag > :p OR (${alias}.partition_tag = :p AND ${alias}.mail_id > :m)`;

function byPartition(keys: readonly Key[]): Map<number, MailId[]> {
  const map = new Map<number, MailId[]>();
  for (const k of keys) map.set(Number(k.partition_tag), [...(map.get(Number(k.partition_tag)) ?? []), k.mail_id]);
  return map;
}

/** True for MariaDB/MySQL deadlocks and lock wait timeouts: the batch is safe to run again. */
function isLockConflict(err: unknown): boolean {
  const errno = (err as { parent?: { errno?: number } }).parent?.errno;
  return errno === 1213 || errno === 1205;
}

/** Creates the cleanup over amavis's database and our app tables. */
export function createCleanup(sequelize: Sequelize, appModels: AppModels, options: CleanupOptions): Cleanup {
  const mysql = sequelize.getDialect() !== 'sqlite';
  const forUpdate = mysql ? ' FOR UPDATE' : '';
  const graceSeconds = options.addressGraceSeconds ?? 3600;
  const settleTimeoutMs = options.settleTimeoutMs ?? 120_000;

  const select = <T extends object>(sql: string, replacements: Record<string, unknown> = {}, transaction?: Transaction) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction });
  const exec = (sql: string, replacements: Record<string, unknown>, transaction?: Transaction) =>
    sequelize.query(sql, { type: QueryTypes.BULKDELETE, replacements, transaction }) as unknown as Promise<number>;

  async function run({ dryRun, now = new Date(), batchSize = DEFAULT_BATCH_SIZE }: CleanupRunOptions): Promise<CleanupReport> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('cleanup: batchSize must be a whole number above 0');
    const started = Date.now();
    const cutoff = cleanupCutoffs(now, options.retentionDays, options.auditRetentionDays);
    const messageCounts = (): MessageCounts => ({ messages: 0, recipientRows: 0, quarantineRows: 0, sample: [] });
    const report: CleanupReport = {
      dryRun,
      retentionDays: options.retentionDays,
      auditRetentionDays: options.auditRetentionDays,
      messagesBefore: new Date(cutoff.messages * 1000).toISOString(),
      auditBefore: cutoff.audit.toISOString(),
      expired: messageCounts(),
      allDeleted: messageCounts(),
      orphanRecipients: { rows: 0, messages: 0, sample: [] },
      orphanQuarantine: { rows: 0, messages: 0, sample: [] },
      addresses: { rows: 0, restored: 0, horizonId: null, sample: [] },
      audit: { rows: 0 },
      warnings: [],
      durationMs: 0,
    };

    /** One short transaction (none in a dry run); retried when it lost a deadlock against amavisd. */
    async function batch<T>(work: (t: Transaction | undefined) => Promise<T>): Promise<T> {
      if (dryRun) return work(undefined);
      for (let attempt = 1; ; attempt++) {
        try {
          return await sequelize.transaction((t) => work(t));
        } catch (err) {
          if (attempt >= 3 || !isLockConflict(err)) throw err;
          await sleep(200 * attempt);
        }
      }
    }

    /** Deletes, or in a dry run counts, one table's rows of these messages. */
    async function purge(table: 'msgs' | 'msgrcpt' | 'quarantine', p: number, ids: MailId[], t?: Transaction, guard = ''): Promise<number> {
      const where = `FROM ${table} WHERE partition_tag = :p AND mail_id IN (:ids)${guard}`;
      if (dryRun) return Number((await select<{ n: number }>(`SELECT COUNT(*) AS n ${where}`, { p, ids }))[0]?.n ?? 0);
      return exec(`DELETE ${where}`, { p, ids }, t);
    }

    /**
     * Removes whole messages in one transaction: `confirm` re-reads (and locks) what made them eligible,
     * so a row that changed since the walk read it is left alone. Children go first, msgs last, like
     * amavisd's writes in reverse.
     */
    async function removeMessages(keys: Key[], counts: MessageCounts, confirm: (p: number, ids: MailId[], t?: Transaction) => Promise<MailId[]>) {
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

    // 1. Expired messages, oldest first by the time_num index (content NULL ones too: older than the
    //    retention, amavisd gave up on them long ago).
    let cursor: { t: number; p: number; m: MailId } | undefined;
    for (;;) {
      const after = cursor ? ` AND (time_num > :t OR (time_num = :t AND (${afterKey('msgs')})))` : '';
      const rows = await select<Key & { time_num: number }>(
        `SELECT partition_tag, mail_id, time_num FROM msgs WHERE time_num < :cutoff${after} ORDER BY time_num, partition_tag, mail_id LIMIT ${SCAN_CHUNK}`,
        { cutoff: cutoff.messages, ...cursor },
      );
      await removeMessages(rows, report.expired, async (p, ids, t) =>
        (await select<{ mail_id: MailId }>(`SELECT mail_id FROM msgs WHERE partition_tag = :p AND mail_id IN (:ids) AND time_num < :cutoff${t ? forUpdate : ''}`, { p, ids, cutoff: cutoff.messages }, t)).map((r) => r.mail_id),
      );
      const last = rows.at(-1);
      if (!last || rows.length < SCAN_CHUNK) break;
      cursor = { t: Number(last.time_num), p: Number(last.partition_tag), m: last.mail_id };
    }

    // 2. One walk over msgrcpt by its primary key, a message per group: orphans, and quarantined mail
    //    that every recipient deleted.
    const orphanGuard = (table: string) => ` AND NOT EXISTS (SELECT 1 FROM msgs m WHERE m.partition_tag = ${table}.partition_tag AND m.mail_id = ${table}.mail_id)`;
    await walkMessages('msgrcpt', async (groups) => {
      const orphans = groups.filter((g) => fateOfRecipientGroup(g, cutoff.messages) === 'orphan');
      for (const [p, ids] of byPartition(orphans)) {
        for (let i = 0; i < ids.length; i += batchSize) {
          // One statement: the NOT EXISTS is checked again as the rows are deleted.
          report.orphanRecipients.rows += await purge('msgrcpt', p, ids.slice(i, i + batchSize), undefined, orphanGuard('msgrcpt'));
        }
        report.orphanRecipients.messages += ids.length;
        addSample(report.orphanRecipients.sample, ids);
      }
      const allDeleted = groups.filter((g) => fateOfRecipientGroup(g, cutoff.messages) === 'all-deleted');
      await removeMessages(allDeleted, report.allDeleted, async (p, ids, t) => {
        // Locked re-read: a row that is no longer 'D' (or a new one) keeps the whole message.
        const rows = await select<{ mail_id: MailId; rs: string }>(`SELECT mail_id, rs FROM msgrcpt WHERE partition_tag = :p AND mail_id IN (:ids)${t ? forUpdate : ''}`, { p, ids }, t);
        const open = new Set(rows.filter((r) => r.rs !== 'D').map((r) => keyOf({ partition_tag: p, mail_id: r.mail_id })));
        const present = new Set(rows.map((r) => keyOf({ partition_tag: p, mail_id: r.mail_id })));
        return ids.filter((m) => present.has(keyOf({ partition_tag: p, mail_id: m })) && !open.has(keyOf({ partition_tag: p, mail_id: m })));
      });
    });

    // 3. quarantine rows without a msgs row (e.g. msgs deleted by another tool).
    await walkMessages('quarantine', async (groups) => {
      for (const [p, ids] of byPartition(groups.filter((g) => g.time_num === null))) {
        for (let i = 0; i < ids.length; i += batchSize) {
          report.orphanQuarantine.rows += await purge('quarantine', p, ids.slice(i, i + batchSize), undefined, orphanGuard('quarantine'));
        }
        report.orphanQuarantine.messages += ids.length;
        addSample(report.orphanQuarantine.sample, ids);
      }
    });

    // 4. Addresses no message uses any more.
    await cleanAddresses(report, dryRun, batchSize);

    // 5. Our audit log, by its `at` index.
    if (await appModels.Audit.sequelize!.getQueryInterface().tableExists(appModels.Audit.getTableName())) {
      const where = { at: { [Op.lt]: cutoff.audit } };
      if (dryRun) report.audit.rows = await appModels.Audit.count({ where });
      else {
        for (;;) {
          const ids = (await appModels.Audit.findAll({ attributes: ['id'], where, order: [['at', 'ASC']], limit: batchSize, raw: true })).map((r) => r.id);
          if (ids.length === 0) break;
          report.audit.rows += await appModels.Audit.destroy({ where: { id: ids } });
        }
      }
    }

    report.durationMs = Date.now() - started;
    return report;

    /** Walks a child table (msgrcpt or quarantine) a chunk of messages at a time, joined to msgs. */
    async function walkMessages(table: 'msgrcpt' | 'quarantine', handle: (groups: Array<Key & RecipientGroup>) => Promise<void>) {
      const open = table === 'msgrcpt' ? "SUM(CASE WHEN c.rs = 'D' THEN 0 ELSE 1 END)" : '0';
      let after: { p: number; m: MailId } | undefined;
      for (;;) {
        // n_rows and n_open, not rows and open: both are keywords in MariaDB.
        const rows = await select<Key & { n_rows: unknown; n_open: unknown; time_num: unknown; content: string | null; quar_type: string | null }>(
          `SELECT c.partition_tag, c.mail_id, COUNT(*) AS n_rows, ${open} AS n_open, MAX(m.time_num) AS time_num, MAX(m.content) AS content, MAX(m.quar_type) AS quar_type
           FROM ${table} c LEFT JOIN msgs m ON m.partition_tag = c.partition_tag AND m.mail_id = c.mail_id
           ${after ? `WHERE${afterKey('c')}` : ''}
           GROUP BY c.partition_tag, c.mail_id ORDER BY c.partition_tag, c.mail_id LIMIT ${SCAN_CHUNK}`,
          { ...after },
        );
        await handle(
          rows.map((r) => ({
            partition_tag: Number(r.partition_tag),
            mail_id: r.mail_id,
            time_num: r.time_num === null ? null : Number(r.time_num),
            content: r.content,
            quar_type: r.quar_type,
            rows: Number(r.n_rows),
            open: Number(r.n_open),
          })),
        );
        const last = rows.at(-1);
        if (!last || rows.length < SCAN_CHUNK) break;
        after = { p: Number(last.partition_tag), m: last.mail_id };
      }
    }
  }

  /**
   * The newest maddr id we can prove amavisd allocated more than graceSeconds ago, or null.
   *
   * The race: amavisd inserts a new address into maddr (find_or_save_addr, autocommit) in
   * save_info_preliminary, before the msgs row that uses it as sid, and the recipient rows that use it
   * as rid only come with save_info_final, after the content checks (seconds, up to $child_timeout).
   * In between, a brand-new maddr row is used by nothing in the database, and deleting it would leave
   * that mail pointing at a missing address. maddr has no timestamp, and "max(id) minus a margin" says
   * nothing about time on a quiet server. But auto_increment ids grow with time, so the largest id used
   * by the newest messages received more than graceSeconds ago (time_num, indexed) was allocated before
   * those messages were processed: every id up to it is at least that old, far past any processing.
   * Newer orphans wait for a later run.
   */
  async function addressHorizon(): Promise<string | null> {
    const graceCutoff = Math.floor(Date.now() / 1000) - graceSeconds;
    const newest = await select<Key & { sid: string }>(
      'SELECT partition_tag, mail_id, sid FROM msgs WHERE time_num < :graceCutoff ORDER BY time_num DESC LIMIT 100',
      { graceCutoff },
    );
    let horizon: bigint | null = null;
    const consider = (id: unknown) => {
      if (id !== null && id !== undefined && (horizon === null || BigInt(String(id)) > horizon)) horizon = BigInt(String(id));
    };
    newest.forEach((m) => consider(m.sid));
    for (const [p, ids] of byPartition(newest)) {
      consider((await select<{ id: string | null }>('SELECT MAX(rid) AS id FROM msgrcpt WHERE partition_tag = :p AND mail_id IN (:ids)', { p, ids }))[0]?.id);
    }
    return horizon === null ? null : String(horizon);
  }

  async function cleanAddresses(report: CleanupReport, dryRun: boolean, batchSize: number) {
    const horizon = await addressHorizon();
    report.addresses.horizonId = horizon;
    if (horizon === null) return;
    let pending: DeletedAddress[] = [];
    let after = '0';
    for (;;) {
      const rows = await select<{ id: string; used: number | string }>(
        `SELECT a.id, CASE WHEN EXISTS (SELECT 1 FROM msgs m WHERE m.sid = a.id) OR EXISTS (SELECT 1 FROM msgrcpt r WHERE r.rid = a.id) THEN 1 ELSE 0 END AS used
         FROM maddr a WHERE a.id > ${sqlIds([after])} AND a.id <= ${sqlIds([horizon])} ORDER BY a.id LIMIT ${SCAN_CHUNK}`,
      );
      const unused = rows.filter((r) => Number(r.used) === 0).map((r) => String(r.id));
      for (let i = 0; i < unused.length; i += batchSize) {
        const ids = unused.slice(i, i + batchSize);
        if (dryRun) {
          report.addresses.rows += ids.length;
          addSample(report.addresses.sample, ids);
          continue;
        }
        const deleted = await deleteAddresses(ids);
        report.addresses.rows += deleted.length;
        addSample(report.addresses.sample, deleted.map((a) => a.id));
        pending.push(...deleted);
        if (pending.length >= ADDRESS_CHECKPOINT) {
          await checkpoint(pending, report);
          pending = [];
        }
      }
      const last = rows.at(-1);
      if (!last || rows.length < SCAN_CHUNK) break;
      after = String(last.id);
    }
    if (pending.length > 0) await checkpoint(pending, report);
  }

  /**
   * Deletes these maddr rows if no message uses them now; returns the rows deleted. Only the maddr rows
   * are locked. Uses are checked with plain reads: a locking read (or a NOT EXISTS inside the DELETE)
   * would put gap locks on msgrcpt's rid index and msgs' sid index, and amavisd's inserts of new
   * addresses, which land at the top of those indexes, would wait for us. A use written after the read
   * is what checkpoint() catches.
   */
  async function deleteAddresses(ids: string[]): Promise<DeletedAddress[]> {
    return sequelize.transaction(async (t) => {
      const list = sqlIds(ids);
      const rows = await select<DeletedAddress>(`SELECT id, partition_tag, email, domain FROM maddr WHERE id IN (${list})${forUpdate}`, {}, t);
      const used = await usedAddressIds(sequelize, list, t);
      const unused = rows.map((r) => ({ ...r, id: String(r.id), partition_tag: Number(r.partition_tag) })).filter((r) => !used.has(r.id));
      if (unused.length > 0) await exec(`DELETE FROM maddr WHERE id IN (${sqlIds(unused.map((r) => r.id))})`, {}, t);
      return unused;
    });
  }

  /**
   * The second race, which no horizon can prevent: amavisd may have looked up an OLD address (one no
   * stored message uses any more) for a mail it is processing right now, and will write that id into
   * msgrcpt (or msgs.sid) after we deleted the row. So after deleting, wait until the mail amavisd was
   * processing is done, then look for any use of the deleted ids and put those addresses back.
   */
  async function checkpoint(deleted: DeletedAddress[], report: CleanupReport) {
    // A lookup happens a few milliseconds before amavisd inserts the msgs row (content NULL) that makes
    // the mail visible as "in flight": give it that long before taking the list.
    await sleep(1000);
    const inFlight = async () =>
      new Set(
        (await select<Key>('SELECT partition_tag, mail_id FROM msgs WHERE time_num >= :since AND content IS NULL', { since: Math.floor(Date.now() / 1000) - IN_FLIGHT_SECONDS })).map(keyOf),
      );
    let waiting = await inFlight();
    const deadline = Date.now() + settleTimeoutMs;
    while (waiting.size > 0 && Date.now() < deadline) {
      await sleep(500);
      const now = await inFlight();
      waiting = new Set([...waiting].filter((k) => now.has(k)));
    }
    if (waiting.size > 0) {
      report.warnings.push(
        `${waiting.size} message(s) were still being processed by amavisd after ${Math.round(settleTimeoutMs / 1000)} s; addresses they use were checked up to then`,
      );
    }
    report.addresses.restored += await restoreAddresses(sequelize, deleted);
  }

  return { run };
}

/** The ids among `list` (checked digits) that a msgs.sid or msgrcpt.rid uses, by their indexes. */
async function usedAddressIds(sequelize: Sequelize, list: string, transaction?: Transaction): Promise<Set<string>> {
  const rows = await sequelize.query<{ id: string }>(`SELECT sid AS id FROM msgs WHERE sid IN (${list}) UNION SELECT rid AS id FROM msgrcpt WHERE rid IN (${list})`, {
    type: QueryTypes.SELECT,
    transaction,
  });
  return new Set(rows.map((r) => String(r.id)));
}

/**
 * Puts back deleted maddr rows that a message uses after all (see checkpoint): with their old id, so
 * that amavisd processes still holding that id stay right; or, when amavisd has meanwhile inserted the
 * address again under a new id, by pointing the message's rows at that one. Returns how many it repaired.
 */
export async function restoreAddresses(sequelize: Sequelize, deleted: readonly DeletedAddress[]): Promise<number> {
  let restored = 0;
  for (let i = 0; i < deleted.length; i += 1000) {
    const chunk = deleted.slice(i, i + 1000);
    const used = await usedAddressIds(sequelize, sqlIds(chunk.map((a) => a.id)));
    for (const address of chunk.filter((a) => used.has(a.id))) {
      for (let attempt = 1; ; attempt++) {
        try {
          await sequelize.transaction(async (transaction) => {
            const replacements = { p: address.partition_tag, email: address.email, domain: address.domain };
            const [again] = await sequelize.query<{ id: string }>('SELECT id FROM maddr WHERE partition_tag = :p AND email = :email', { type: QueryTypes.SELECT, replacements, transaction });
            if (!again) {
              await sequelize.query(`INSERT INTO maddr (partition_tag, id, email, domain) VALUES (:p, ${sqlIds([address.id])}, :email, :domain)`, { replacements, transaction });
              return;
            }
            for (const [table, column] of [['msgrcpt', 'rid'], ['msgs', 'sid']] as const) {
              await sequelize.query(`UPDATE ${table} SET ${column} = ${sqlIds([again.id])} WHERE ${column} = ${sqlIds([address.id])}`, { transaction });
            }
          });
          break;
        } catch (err) {
          // amavisd inserted the address between our SELECT and INSERT: the next attempt repoints.
          if (attempt >= 2 || !(err instanceof UniqueConstraintError)) throw err;
        }
      }
      restored++;
    }
  }
  return restored;
}
