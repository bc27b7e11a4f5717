import { sqlLimit, type CleanupDb, type CleanupTransaction, type MailId, type MessageKey } from './cleanup-query';

/** The tables that hold a message's rows, by (partition_tag, mail_id). */
export type MessageTable = 'msgs' | 'msgrcpt' | 'quarantine';
/** The tables whose rows belong to a msgs row, and can outlive it. */
export type ChildTable = 'msgrcpt' | 'quarantine';

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

/** Where the time_num walk stopped: the last message it read. */
export interface ExpiredCursor {
  t: number;
  p: number;
  m: MailId;
}

/** The statements on msgs, msgrcpt and quarantine. */
export interface MessageCleanupSql {
  /** Messages received before `cutoff`, in time_num index order, after `cursor`: a lock-free read. */
  expiredAfter(cutoff: number, cursor: ExpiredCursor | undefined, limit: number): Promise<Array<MessageKey & { time_num: number }>>;
  /** Which of these messages are still older than `cutoff`; inside a transaction, their msgs rows are locked. */
  stillExpired(p: number, ids: MailId[], cutoff: number, t?: CleanupTransaction): Promise<MailId[]>;
  /** The rs of every recipient row of these messages; inside a transaction, the rows are locked. */
  recipientStates(p: number, ids: MailId[], t?: CleanupTransaction): Promise<Array<{ mail_id: MailId; rs: string }>>;
  /** One table's rows of these messages (with orphansOnly, only while their msgs row is missing). */
  countRows(table: MessageTable, p: number, ids: MailId[], orphansOnly?: boolean): Promise<number>;
  /** Deletes one table's rows of these messages (with orphansOnly, only while their msgs row is missing). */
  deleteRows(table: MessageTable, p: number, ids: MailId[], t?: CleanupTransaction, orphansOnly?: boolean): Promise<number>;
  /** A child table's messages after `after`, in primary key order, each with what its msgs row and rows say. */
  groupsAfter(table: ChildTable, after: { p: number; m: MailId } | undefined, limit: number): Promise<Array<MessageKey & RecipientGroup>>;
}

const afterKey = (alias: string) => ` ${alias}.partition_tag > :p OR (${alias}.partition_tag = :p AND ${alias}.mail_id > :m)`;
// Checked again by the DELETE itself as it removes the rows.
const orphanGuard = (table: MessageTable) => ` AND NOT EXISTS (SELECT 1 FROM msgs m WHERE m.partition_tag = ${table}.partition_tag AND m.mail_id = ${table}.mail_id)`;

/** Creates the message statements of the cleanup. */
export function createMessageCleanupSql(db: CleanupDb): MessageCleanupSql {
  const where = (table: MessageTable, orphansOnly: boolean) => `FROM ${table} WHERE partition_tag = :p AND mail_id IN (:ids)${orphansOnly ? orphanGuard(table) : ''}`;

  return {
    expiredAfter(cutoff, cursor, limit) {
      const after = cursor ? ` AND (time_num > :t OR (time_num = :t AND (${afterKey('msgs')})))` : '';
      return db.select<MessageKey & { time_num: number }>(
        `SELECT partition_tag, mail_id, time_num FROM msgs WHERE time_num < :cutoff${after} ORDER BY time_num, partition_tag, mail_id LIMIT ${sqlLimit(limit)}`,
        { cutoff, ...cursor },
      );
    },

    async stillExpired(p, ids, cutoff, t) {
      const sql = `SELECT mail_id FROM msgs WHERE partition_tag = :p AND mail_id IN (:ids) AND time_num < :cutoff${t ? db.forUpdate : ''}`;
      return (await db.select<{ mail_id: MailId }>(sql, { p, ids, cutoff }, t)).map((r) => r.mail_id);
    },

    recipientStates(p, ids, t) {
      return db.select<{ mail_id: MailId; rs: string }>(
        `SELECT mail_id, rs FROM msgrcpt WHERE partition_tag = :p AND mail_id IN (:ids)${t ? db.forUpdate : ''}`,
        { p, ids },
        t,
      );
    },

    async countRows(table, p, ids, orphansOnly = false) {
      return Number((await db.select<{ n: number }>(`SELECT COUNT(*) AS n ${where(table, orphansOnly)}`, { p, ids }))[0]?.n ?? 0);
    },

    deleteRows(table, p, ids, t, orphansOnly = false) {
      return db.exec(`DELETE ${where(table, orphansOnly)}`, { p, ids }, t);
    },

    async groupsAfter(table, after, limit) {
      const open = table === 'msgrcpt' ? "SUM(CASE WHEN c.rs = 'D' THEN 0 ELSE 1 END)" : '0';
      // n_rows and n_open, not rows and open: both are keywords in MariaDB.
      const rows = await db.select<MessageKey & { n_rows: unknown; n_open: unknown; time_num: unknown; content: string | null; quar_type: string | null }>(
        `SELECT c.partition_tag, c.mail_id, COUNT(*) AS n_rows, ${open} AS n_open, MAX(m.time_num) AS time_num, MAX(m.content) AS content, MAX(m.quar_type) AS quar_type
         FROM ${table} c LEFT JOIN msgs m ON m.partition_tag = c.partition_tag AND m.mail_id = c.mail_id
         ${after ? `WHERE${afterKey('c')}` : ''}
         GROUP BY c.partition_tag, c.mail_id ORDER BY c.partition_tag, c.mail_id LIMIT ${sqlLimit(limit)}`,
        { ...after },
      );
      return rows.map((r) => ({
        partition_tag: Number(r.partition_tag),
        mail_id: r.mail_id,
        time_num: r.time_num === null ? null : Number(r.time_num),
        content: r.content,
        quar_type: r.quar_type,
        rows: Number(r.n_rows),
        open: Number(r.n_open),
      }));
    },
  };
}
