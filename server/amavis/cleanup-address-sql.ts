import { sqlIds, sqlLimit, type CleanupDb, type CleanupTransaction, type MailId, type MessageKey } from './cleanup-query';

/** A maddr row, as the cleanup deletes it and, if amavisd turns out to use it, puts it back. */
export interface MaddrRow {
  id: string;
  partition_tag: number;
  email: Buffer | string;
  domain: string;
}

/** The statements on maddr, and the reads of msgs.sid and msgrcpt.rid that tell whether an address is used. */
export interface AddressCleanupSql {
  /** The newest messages received before `graceCutoff` (seconds), by the time_num index, with their sender id. */
  newestMessagesBefore(graceCutoff: number, limit: number): Promise<Array<MessageKey & { sid: string | null }>>;
  /** The largest recipient id (msgrcpt.rid) of these messages, or null. */
  maxRecipientId(p: number, ids: MailId[]): Promise<string | null>;
  /** maddr ids after `afterId`, up to `horizonId`, in order, each with whether a msgs.sid or msgrcpt.rid uses it. */
  addressesAfter(afterId: string, horizonId: string, limit: number): Promise<Array<{ id: string; used: boolean }>>;
  /** Reads and locks these maddr rows. */
  lockAddresses(ids: string[], t: CleanupTransaction): Promise<MaddrRow[]>;
  /** The ids among these that a msgs.sid or msgrcpt.rid uses, by their indexes (plain reads, no locks). */
  usedAddressIds(ids: string[], t?: CleanupTransaction): Promise<Set<string>>;
  /** Deletes these maddr rows. */
  deleteAddresses(ids: string[], t: CleanupTransaction): Promise<number>;
  /** Messages received since `since` (seconds) that amavisd has not finished (content NULL). */
  inFlightMessages(since: number): Promise<MessageKey[]>;
  /** The id under which this address (partition_tag, email) is stored now, if it is. */
  addressIdByEmail(address: MaddrRow, t: CleanupTransaction): Promise<string | undefined>;
  /** Inserts a deleted address again, under its old id. */
  insertAddress(address: MaddrRow, t: CleanupTransaction): Promise<void>;
  /** Points every msgrcpt.rid and msgs.sid that uses `fromId` at `toId`. */
  repointAddress(fromId: string, toId: string, t: CleanupTransaction): Promise<void>;
}

/** Creates the address statements of the cleanup. */
export function createAddressCleanupSql(db: CleanupDb): AddressCleanupSql {
  return {
    newestMessagesBefore(graceCutoff, limit) {
      return db.select<MessageKey & { sid: string | null }>(
        `SELECT partition_tag, mail_id, sid FROM msgs WHERE time_num < :graceCutoff ORDER BY time_num DESC LIMIT ${sqlLimit(limit)}`,
        { graceCutoff },
      );
    },

    async maxRecipientId(p, ids) {
      return (await db.select<{ id: string | null }>('SELECT MAX(rid) AS id FROM msgrcpt WHERE partition_tag = :p AND mail_id IN (:ids)', { p, ids }))[0]?.id ?? null;
    },

    async addressesAfter(afterId, horizonId, limit) {
      const rows = await db.select<{ id: string; used: number | string }>(
        `SELECT a.id, CASE WHEN EXISTS (SELECT 1 FROM msgs m WHERE m.sid = a.id) OR EXISTS (SELECT 1 FROM msgrcpt r WHERE r.rid = a.id) THEN 1 ELSE 0 END AS used
         FROM maddr a WHERE a.id > ${sqlIds([afterId])} AND a.id <= ${sqlIds([horizonId])} ORDER BY a.id LIMIT ${sqlLimit(limit)}`,
      );
      return rows.map((r) => ({ id: String(r.id), used: Number(r.used) !== 0 }));
    },

    async lockAddresses(ids, t) {
      const rows = await db.select<MaddrRow>(`SELECT id, partition_tag, email, domain FROM maddr WHERE id IN (${sqlIds(ids)})${db.forUpdate}`, {}, t);
      return rows.map((r) => ({ ...r, id: String(r.id), partition_tag: Number(r.partition_tag) }));
    },

    async usedAddressIds(ids, t) {
      const list = sqlIds(ids);
      const rows = await db.select<{ id: string }>(`SELECT sid AS id FROM msgs WHERE sid IN (${list}) UNION SELECT rid AS id FROM msgrcpt WHERE rid IN (${list})`, {}, t);
      return new Set(rows.map((r) => String(r.id)));
    },

    deleteAddresses(ids, t) {
      return db.exec(`DELETE FROM maddr WHERE id IN (${sqlIds(ids)})`, {}, t);
    },

    inFlightMessages(since) {
      return db.select<MessageKey>('SELECT partition_tag, mail_id FROM msgs WHERE time_num >= :since AND content IS NULL', { since });
    },

    async addressIdByEmail(address, t) {
      const [row] = await db.select<{ id: string }>(
        'SELECT id FROM maddr WHERE partition_tag = :p AND email = :email',
        { p: address.partition_tag, email: address.email },
        t,
      );
      return row === undefined ? undefined : String(row.id);
    },

    async insertAddress(address, t) {
      await db.write(
        `INSERT INTO maddr (partition_tag, id, email, domain) VALUES (:p, ${sqlIds([address.id])}, :email, :domain)`,
        { p: address.partition_tag, email: address.email, domain: address.domain },
        t,
      );
    },

    async repointAddress(fromId, toId, t) {
      for (const [table, column] of [
        ['msgrcpt', 'rid'],
        ['msgs', 'sid'],
      ] as const) {
        await db.write(`UPDATE ${table} SET ${column} = ${sqlIds([toId])} WHERE ${column} = ${sqlIds([fromId])}`, {}, t);
      }
    },
  };
}
