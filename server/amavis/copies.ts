import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { binaryText } from './binary';
import { forUpdateClause } from './dialect';
import type { ListRow } from './listing';
import { ROW_COLUMNS } from './list-sql';
import { HELD_COPY } from './list-parts';
import type { MessageRef } from './message-ref';

/** A recipient's copy as the view needs it: the listed columns, plus the recipient's maddr id. */
export interface CopyRow extends ListRow {
  rid: string;
}

/** A message's recipient row, read under a lock for a release or a purge. */
export interface LockedRecipient {
  rseqnum: number;
  rs: string;
  email: string;
}

/** An open transaction on the amavis database; services pass it back, they never look inside. */
export type AmavisTransaction = Transaction;

/**
 * Reading and locking one quarantined message and its recipients' copies (msgs, msgrcpt, quarantine).
 * Every lookup names the copy by its key, and a scoped lookup carries the user's maddr ids in its WHERE.
 */
export interface CopyStore {
  /**
   * The copy, only if its recipient is one of `rids` (undefined: any recipient, for super users), and
   * only a quarantined, fully stored message. Deleted copies only with `includeDeleted`.
   */
  find(ref: MessageRef, rids: readonly string[] | undefined, options: { includeDeleted: boolean }): Promise<CopyRow | undefined>;
  /** True while the quarantined text is still stored (the cleanup or another tool may have purged it). */
  hasText(ref: MessageRef, transaction?: AmavisTransaction): Promise<boolean>;
  /** The stored message, chunk by chunk in chunk_ind order, exactly as amavisd wrote it. */
  chunks(ref: MessageRef): AsyncIterable<Buffer>;
  /** What a release needs to know of the message: its secret_id and the amavisd host that stored it. */
  releaseFacts(ref: MessageRef, transaction: AmavisTransaction): Promise<{ secretId: string; host: string }>;
  /**
   * Locks the message's recipient rows (or one of them) for the transaction. Only msgrcpt is locked: a
   * lock on maddr would hold up amavisd, which reads those rows while it stores new mail.
   */
  lockRecipients(ref: MessageRef, transaction: AmavisTransaction, rseqnum?: number): Promise<LockedRecipient[]>;
  /** Removes the whole message (quarantine, msgrcpt, msgs rows) inside the caller's transaction. */
  removeMessage(ref: MessageRef, transaction: AmavisTransaction): Promise<void>;
  /** The copies of a message for one recipient address, with the message's secret_id (self-service links). */
  copiesForRecipient(mailId: string, recipient: string, partitionTag: number | undefined): Promise<Array<{ partitionTag: number; rseqnum: number; secretId: Buffer }>>;
  /** Runs `work` in one transaction on the amavis database. */
  transaction<T>(work: (transaction: AmavisTransaction) => Promise<T>): Promise<T>;
}

/** Creates the copy store on the amavis storage database. */
export function createCopyStore(sequelize: Sequelize): CopyStore {
  const forUpdate = forUpdateClause(sequelize);
  const key = (ref: Omit<MessageRef, 'rseqnum'>) => ({ p: ref.partitionTag, m: Buffer.from(ref.mailId) });
  const inTx = (transaction: AmavisTransaction | undefined) => (transaction ? { transaction } : {});

  return {
    async find(ref, rids, { includeDeleted }) {
      if (rids && rids.length === 0) return undefined;
      const [row] = await sequelize.query<CopyRow>(
        `SELECT ${ROW_COLUMNS}, mr.rid AS rid
  FROM msgrcpt mr
  JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id
  JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid
  WHERE mr.partition_tag = :p AND mr.mail_id = :m AND mr.rseqnum = :r
    AND m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY}${includeDeleted ? '' : " AND mr.rs <> 'D'"}${rids ? ' AND mr.rid IN (:rids)' : ''}`,
        { type: QueryTypes.SELECT, replacements: { ...key(ref), r: ref.rseqnum, ...(rids ? { rids } : {}) } },
      );
      // maddr.id is BIGINT UNSIGNED (a string) on MariaDB, serial (a number) on PostgreSQL.
      return row && { ...row, rid: String(row.rid) };
    },

    async hasText(ref, transaction) {
      const rows = await sequelize.query('SELECT 1 FROM quarantine WHERE partition_tag = :p AND mail_id = :m LIMIT 1', {
        type: QueryTypes.SELECT,
        replacements: key(ref),
        ...inTx(transaction),
      });
      return rows.length > 0;
    },

    async *chunks(ref) {
      // Batches keep memory flat for big messages; amavisd writes chunks of up to 16 KB.
      let last = -1;
      for (;;) {
        const rows = await sequelize.query<{ chunk_ind: number; mail_text: Buffer }>(
          'SELECT chunk_ind, mail_text FROM quarantine WHERE partition_tag = :p AND mail_id = :m AND chunk_ind > :last ORDER BY chunk_ind LIMIT 64',
          { type: QueryTypes.SELECT, replacements: { ...key(ref), last } },
        );
        for (const row of rows) yield Buffer.isBuffer(row.mail_text) ? row.mail_text : Buffer.from(row.mail_text);
        if (rows.length < 64) return;
        last = Number(rows.at(-1)?.chunk_ind);
      }
    },

    async releaseFacts(ref, transaction) {
      const [row] = await sequelize.query<{ secret_id: Buffer | string; host: string }>('SELECT secret_id, host FROM msgs WHERE partition_tag = :p AND mail_id = :m', {
        type: QueryTypes.SELECT,
        replacements: key(ref),
        transaction,
      });
      return { secretId: binaryText(row?.secret_id), host: row?.host ?? '' };
    },

    async lockRecipients(ref, transaction, rseqnum) {
      const only = rseqnum === undefined ? '' : ' AND rseqnum = :r';
      const rows = await sequelize.query<{ rseqnum: number; rs: string; rid: string }>(
        `SELECT rseqnum, rs, rid FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m${only} ORDER BY rseqnum${forUpdate}`,
        { type: QueryTypes.SELECT, transaction, replacements: { ...key(ref), r: rseqnum } },
      );
      if (rows.length === 0) return [];
      const addresses = await sequelize.query<{ id: string; email: Buffer | string }>('SELECT id, email FROM maddr WHERE id IN (:ids)', {
        type: QueryTypes.SELECT,
        transaction,
        replacements: { ids: rows.map((r) => r.rid) },
      });
      const byId = new Map(addresses.map((a) => [String(a.id), binaryText(a.email)]));
      // A blank rs is '' from MariaDB (CHAR drops trailing spaces) and ' ' from PostgreSQL: the same state.
      return rows.map((r) => ({ rseqnum: Number(r.rseqnum), rs: (r.rs ?? '').trim(), email: byId.get(String(r.rid)) ?? '' }));
    },

    async removeMessage(ref, transaction) {
      for (const table of ['quarantine', 'msgrcpt', 'msgs']) {
        await sequelize.query(`DELETE FROM ${table} WHERE partition_tag = :p AND mail_id = :m`, { transaction, replacements: key(ref) });
      }
    },

    async copiesForRecipient(mailId, recipient, partitionTag) {
      const rows = await sequelize.query<{ partition_tag: number; secret_id: Buffer | string; rseqnum: number }>(
        `SELECT m.partition_tag AS partition_tag, m.secret_id AS secret_id, mr.rseqnum AS rseqnum
  FROM msgs m
  JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
  JOIN maddr r ON r.id = mr.rid
  WHERE m.mail_id = :m AND r.email = :rcpt AND m.quar_type = 'Q' AND m.content IS NOT NULL${partitionTag === undefined ? '' : ' AND m.partition_tag = :p'}
  LIMIT 2`,
        { type: QueryTypes.SELECT, replacements: { m: Buffer.from(mailId), rcpt: Buffer.from(recipient), p: partitionTag } },
      );
      return rows.map((row) => ({
        partitionTag: Number(row.partition_tag),
        rseqnum: Number(row.rseqnum),
        secretId: Buffer.from(Buffer.isBuffer(row.secret_id) ? row.secret_id : String(row.secret_id)),
      }));
    },

    transaction: (work) => sequelize.transaction(work),
  };
}
