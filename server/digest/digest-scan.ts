import { QueryTypes, type Sequelize } from 'sequelize';
import { HELD_COPY, type ListRow } from '../amavis/list-parts';
import { LIST_TABLE } from '../amavis/list-index-ddl';
import { isMissingTable, ListIndexMissing } from '../amavis/list-indexer';

/*
 * What the digest reads from amavis's database: the list index (aq_list), walked by its id. The indexer
 * (one writer at a time, under its lock) inserts rows in id order, so "new since the last digest" is
 * "id above the last digest's": a primary-key range, however large msgs is. Every row is read back from
 * msgrcpt and msgs, so a copy released, deleted or delivered meanwhile is not listed.
 */

/** A copy as a digest lists it: the list row and its aq_list id. */
export type DigestRow = ListRow & { list_id: number | string };

/** A recipient address with new held copies, and the newest list id among them. */
export interface NewRecipient {
  email: string;
  maxId: number;
}

export interface DigestScan {
  /** The newest list id (0 for an empty index). */
  maxId(): Promise<number>;
  /** The list id just before the copies stored since `sinceTime` (Unix seconds): where a first scan starts. */
  idBefore(sinceTime: number): Promise<number>;
  /** Local recipients of copies with after < id <= to, one row per address. */
  newRecipients(after: number, to: number): Promise<NewRecipient[]>;
  /** The held copies of these maddr ids with from < id <= to and time_num >= floor, newest first, at most `limit`, and how many there are. */
  entries(rids: readonly string[], window: { from: number; to: number; floor: number }, limit: number): Promise<{ rows: DigestRow[]; total: number }>;
}

const WINDOW = `l.id > :from AND l.id <= :to AND l.time_num >= :floor AND mr.rs NOT IN ('D', 'R') AND ${HELD_COPY}`;
const JOINS = `FROM ${LIST_TABLE} l
  JOIN msgrcpt mr ON mr.partition_tag = l.partition_tag AND mr.mail_id = l.mail_id AND mr.rseqnum = l.rseqnum
  JOIN msgs m ON m.partition_tag = l.partition_tag AND m.mail_id = l.mail_id`;

/** The digest's reads of the amavis database behind `sequelize`. */
export function createDigestScan(sequelize: Sequelize): DigestScan {
  async function select<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    try {
      return await sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
    } catch (err) {
      if (isMissingTable(err)) throw new ListIndexMissing();
      throw err;
    }
  }
  return {
    async maxId() {
      const [row] = await select<{ id: number | string | null }>(`SELECT MAX(id) AS id FROM ${LIST_TABLE}`, {});
      return Number(row?.id ?? 0);
    },
    async idBefore(sinceTime) {
      // The time index's first row at or after the time; ids follow time closely enough for a starting point.
      const [row] = await select<{ id: number | string }>(`SELECT id FROM ${LIST_TABLE} WHERE time_num >= :t ORDER BY time_num, id LIMIT 1`, { t: sinceTime });
      return row ? Number(row.id) - 1 : await this.maxId();
    },
    async newRecipients(after, to) {
      // Local recipients only (msgrcpt.is_local, from amavisd's @local_domains_maps): outgoing mail held for
      // someone elsewhere gets no digest from us.
      const rows = await select<{ email: Buffer | string; max_id: number | string }>(
        `SELECT r.email AS email, MAX(l.id) AS max_id
  FROM ${LIST_TABLE} l
  JOIN msgrcpt mr ON mr.partition_tag = l.partition_tag AND mr.mail_id = l.mail_id AND mr.rseqnum = l.rseqnum
  JOIN maddr r ON r.id = l.rid
  WHERE l.id > :after AND l.id <= :to AND mr.is_local = 'Y'
  GROUP BY r.email`,
        { after, to },
      );
      return rows.map((r) => ({ email: (Buffer.isBuffer(r.email) ? r.email.toString('utf8') : r.email).toLowerCase(), maxId: Number(r.max_id) }));
    },
    async entries(rids, window, limit) {
      if (rids.length === 0) return { rows: [], total: 0 };
      const replacements = { rids, ...window };
      const rows = await select<DigestRow>(
        `SELECT l.id AS list_id, m.partition_tag AS partition_tag, m.mail_id AS mail_id, mr.rseqnum AS rseqnum, m.time_num AS time_num,
    m.size AS size, m.from_addr AS from_addr, m.subject AS subject, m.spam_level AS spam_level,
    COALESCE(NULLIF(TRIM(mr.content), ''), m.content) AS content, mr.rs AS rs, mr.bspam_level AS bspam_level, r.email AS recipient, s.email AS sender
  ${JOINS}
  JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid
  WHERE l.rid IN (:rids) AND ${WINDOW}
  ORDER BY l.id DESC
  LIMIT ${Math.max(1, Math.floor(limit))}`,
        replacements,
      );
      if (rows.length < limit) return { rows, total: rows.length };
      const [count] = await select<{ n: number | string }>(`SELECT COUNT(*) AS n ${JOINS} WHERE l.rid IN (:rids) AND ${WINDOW}`, replacements);
      return { rows, total: Number(count?.n ?? rows.length) };
    },
  };
}
