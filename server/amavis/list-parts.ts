/**
 * The pieces every listing statement shares (aliases: m = msgs, mr = msgrcpt, r = the recipient's maddr
 * row, s = the sender's): the listed columns, the search and the sort, and the keyset predicates that
 * continue a page. The plans that put them together are in list-sql.ts.
 */

import type { Dialect } from './dialect';

/** A filter a row must pass, with its named replacements. */
export interface SqlPart {
  sql: string;
  replacements: Record<string, unknown>;
}

/** The position after the last row of a page. */
export interface ListCursor {
  sort: 'date' | 'score';
  timeNum: number;
  partitionTag: number;
  mailId: string;
  rseqnum: number;
  /** The score as a fixed-point string (score sort only): FLOAT columns do not compare exactly. */
  score?: string;
}

/** A listed row as the database returns it; the presenter turns it into a QuarantineItem. */
/**
 * A recipient's copy is held for them unless amavisd delivered it to them: a message quarantined for one
 * recipient (bob's spam) is passed to another who allows its sender or loves spam, and that copy's row
 * says clean (msgrcpt.content 'C', ds 'P'). It is in their INBOX, not in their quarantine.
 */
export const HELD_COPY = "COALESCE(mr.content, '') <> 'C'";

export interface ListRow {
  partition_tag: number;
  mail_id: Buffer | string;
  rseqnum: number;
  time_num: number;
  size: number;
  from_addr: string | null;
  subject: string | null;
  spam_level: number | null;
  content: string | null;
  rs: string | null;
  bspam_level: number | null;
  recipient: Buffer | string | null;
  sender: Buffer | string | null;
}

export const ROW_COLUMNS = `m.partition_tag AS partition_tag, m.mail_id AS mail_id, mr.rseqnum AS rseqnum, m.time_num AS time_num,
  m.size AS size, m.from_addr AS from_addr, m.subject AS subject, m.spam_level AS spam_level, mr.content AS content,
  mr.rs AS rs, mr.bspam_level AS bspam_level, r.email AS recipient, s.email AS sender`;

/** The score expression both plans sort on: the recipient's level, else the message's. */
export const scoreExpr = (dialect: Dialect) =>
  dialect !== 'sqlite' ? 'CAST(COALESCE(mr.bspam_level, m.spam_level, -9999) AS DECIMAL(12,3))' : 'ROUND(COALESCE(mr.bspam_level, m.spam_level, -9999), 3)';

/** A column searched by substring: text (subject, from_addr) or bytes (maddr.email: VARBINARY, bytea). */
export interface SearchColumn {
  expr: string;
  binary: boolean;
}

/**
 * A case-insensitive substring match of `text` on any of `columns`, its replacements named after `name`.
 * - MariaDB/MySQL: the bytes read as utf8mb4 with a case-insensitive collation (subject is utf8mb4_bin).
 * - PostgreSQL: ILIKE on text. bytea has no text form that never fails (convert_from refuses bytes
 *   that are not UTF-8, and $sql_allow_8bit_address lets any byte in), so addresses are read as
 *   LATIN1, which takes every byte, and matched against the search term's UTF-8 bytes read the same
 *   way: ASCII letters match in any case, other characters exactly.
 * - SQLite (the demo): LIKE, case-insensitive for ASCII.
 */
export function containsAny(dialect: Dialect, columns: readonly SearchColumn[], text: string, name: string): SqlPart {
  const pattern = likeContains(text);
  const replacements: Record<string, unknown> = { [name]: pattern };
  const matches = columns.map(({ expr, binary }) => {
    if (dialect === 'sqlite') return `${expr} LIKE :${name}`;
    if (dialect !== 'postgres') return `CONVERT(${expr} USING utf8mb4) COLLATE utf8mb4_general_ci LIKE :${name}`;
    if (!binary) return `${expr} ILIKE :${name}`;
    replacements[`${name}Bytes`] = Buffer.from(pattern, 'utf8').toString('latin1');
    return `convert_from(${expr}, 'LATIN1') ILIKE :${name}Bytes`;
  });
  return { sql: matches.length === 1 ? (matches[0] ?? '') : `(${matches.join(' OR ')})`, replacements };
}

/** Escapes LIKE wildcards in user input and wraps it for a substring match. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** ORDER BY for a sort, newest (or highest score) first. */
export function orderBy(dialect: Dialect, sort: 'date' | 'score'): string {
  const date = 'm.time_num DESC, m.partition_tag DESC, m.mail_id DESC, mr.rseqnum DESC';
  return sort === 'score' ? `${scoreExpr(dialect)} DESC, ${date}` : date;
}

/**
 * PostgreSQL does not derive an index range from the expanded keyset's OR: the plain bound in front
 * makes the time index scan start at the cursor instead of at the newest message.
 */
const timeBound = (dialect: Dialect, param: string) => (dialect === 'postgres' ? `m.time_num <= :${param} AND ` : '');

/** The keyset predicate for rows strictly after the cursor, in expanded form. */
export function rowKeyset(dialect: Dialect, cursor: ListCursor): SqlPart {
  const replacements = { kt: cursor.timeNum, kp: cursor.partitionTag, km: Buffer.from(cursor.mailId), kr: cursor.rseqnum };
  const date =
    `${timeBound(dialect, 'kt')}(m.time_num < :kt OR (m.time_num = :kt AND (m.partition_tag < :kp OR (m.partition_tag = :kp AND ` +
    '(m.mail_id < :km OR (m.mail_id = :km AND mr.rseqnum < :kr))))))';
  if (cursor.sort === 'date') return { sql: date, replacements };
  const score = scoreExpr(dialect);
  return { sql: `(${score} < :ks OR (${score} = :ks AND ${date}))`, replacements: { ...replacements, ks: cursor.score ?? '0' } };
}

/** A position in the msgs time order: the message after which (or, inclusive, at which) a walk starts. */
export interface MessagePosition {
  timeNum: number;
  partitionTag: number;
  mailId: string;
}

/**
 * The message-level keyset of a walk. From a row cursor it is inclusive (the cursor's own message may
 * have rows left, which the row keyset then cuts); when a walk continues after its last key, exclusive.
 */
export function messageKeyset(dialect: Dialect, position: MessagePosition, inclusive = true, prefix = 'k'): SqlPart {
  const [t, p, m] = [`${prefix}t`, `${prefix}p`, `${prefix}m`];
  return {
    sql: `${timeBound(dialect, t)}(m.time_num < :${t} OR (m.time_num = :${t} AND (m.partition_tag < :${p} OR (m.partition_tag = :${p} AND m.mail_id ${inclusive ? '<=' : '<'} :${m}))))`,
    replacements: { [t]: position.timeNum, [p]: position.partitionTag, [m]: Buffer.from(position.mailId) },
  };
}

/** The recipient's and the sender's addresses of a listed row. */
export const JOIN_ROW = `JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid`;
