/**
 * The SQL of the quarantine listing, as pure builders. Aliases: m = msgs, mr = msgrcpt, r = the
 * recipient's maddr row, s = the sender's maddr row.
 *
 * Three plans serve the same order (newest first), because no single plan is fast for every scope
 * (measured with `npm run bench:list` on 1M messages):
 * - by recipient: from the scope's msgrcpt rows (rid index), join msgs, sort. Cheap while the scope has
 *   few rows; it sorts all of them.
 * - keys first: the scope's message keys from the rid index alone, a walk of the msgs time index that
 *   keeps the newest of them, then only those rows. For scopes of a few thousand rows.
 * - by time: walk the msgs time index newest first and keep messages with a matching recipient row.
 *   For heavy scopes and super users, where a page is found after a short walk.
 * Keyset predicates are written out (a < x OR (a = x AND …)): MariaDB is far slower on row-constructor
 * comparisons. PostgreSQL gets the same statements without MySQL's hints (it has none), plus a plain
 * bound on time_num in front of each keyset, which its planner turns into a range on the time index.
 */

export type { Dialect } from './dialect';
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

const JOIN_ROW = `JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid`;

/** Plan "by recipient": one query, from the user's msgrcpt rows. */
export function recipientPlanSql(dialect: Dialect, where: SqlPart, sort: 'date' | 'score' | 'unordered', limit: number): SqlPart {
  const straight = hints(dialect).straight;
  return {
    sql: `SELECT ${straight}${ROW_COLUMNS}
  FROM msgrcpt mr
  JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id
  ${JOIN_ROW}
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${where.sql}
  ${sort === 'unordered' ? '' : `ORDER BY ${orderBy(dialect, sort)}`}
  LIMIT ${limit}`,
    replacements: where.replacements,
  };
}

const isMysql = (dialect: Dialect) => dialect === 'mariadb' || dialect === 'mysql';

/** MySQL's join order and index hints; SQLite's index pin; PostgreSQL has no hints and needs none here. */
const hints = (dialect: Dialect) => ({
  straight: isMysql(dialect) ? 'STRAIGHT_JOIN ' : '',
  timeIndex: dialect === 'sqlite' ? ' INDEXED BY msgs_idx_time_num' : isMysql(dialect) ? ' FORCE INDEX (msgs_idx_time_num)' : '',
  // Joined by primary key from a handful of messages, msgrcpt must not be read through its rid index:
  // MariaDB estimates a few rows per rid and would read all of a heavy user's rows instead.
  noRidIndex: isMysql(dialect) ? ' IGNORE INDEX (msgrcpt_idx_rid)' : '',
});

/** The outer half shared by the time and keys-first plans: rows of the messages picked in `k`. */
function rowsOfPicked(dialect: Dialect, picked: string, rowWhere: SqlPart, rowKeysetPart: SqlPart | undefined, limit: number): string {
  const h = hints(dialect);
  return `SELECT ${h.straight}${ROW_COLUMNS}
  FROM (${picked}) k
  JOIN msgs m ON m.partition_tag = k.partition_tag AND m.mail_id = k.mail_id
  JOIN msgrcpt mr${h.noRidIndex} ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
  ${JOIN_ROW}
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${rowWhere.sql}${rowKeysetPart ? ` AND ${rowKeysetPart.sql}` : ''}
  ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC, mr.rseqnum DESC
  LIMIT ${limit}`;
}

/**
 * Plan "by time", for heavy scopes and super users: walk msgs newest first on its time index, keep the
 * first `pick` messages that have a matching recipient row, then join their rows by primary key. The
 * walk starts at the cursor's own message (its remaining rows are cut by the row keyset).
 */
export function timePlanSql(dialect: Dialect, rowWhere: SqlPart, cursor: ListCursor | undefined, pick: number, limit: number): SqlPart {
  const h = hints(dialect);
  const msgKey = cursor ? messageKeyset(dialect, cursor) : undefined;
  const rowKey = cursor ? rowKeyset(dialect, cursor) : undefined;
  const picked = `SELECT m.partition_tag AS partition_tag, m.mail_id AS mail_id FROM msgs m${h.timeIndex}
    WHERE m.quar_type = 'Q' AND m.content IS NOT NULL${msgKey ? ` AND ${msgKey.sql}` : ''}
      AND EXISTS (SELECT 1 FROM msgrcpt mr ${JOIN_ROW}
        WHERE mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id AND ${rowWhere.sql})
    ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC LIMIT ${pick}`;
  // Pinned on MariaDB: turned into a semi-join, the EXISTS would read every row of a heavy user first.
  const pin = dialect === 'mariadb' ? "SET STATEMENT optimizer_switch='semijoin=off,exists_to_in=off' FOR " : '';
  return {
    sql: `${pin}${rowsOfPicked(dialect, picked, rowWhere, rowKey, limit)}`,
    replacements: { ...rowWhere.replacements, ...(msgKey?.replacements ?? {}), ...(rowKey?.replacements ?? {}) },
  };
}

/**
 * Plan "keys first", step 1, for scopes of a few thousand rows, where neither other plan fits: the
 * scope's message keys come from the rid index alone, and the time index is walked newest first keeping
 * the next `pick` of them, reading no rows at all.
 */
export function keysFirstWalkSql(dialect: Dialect, rids: string[], from: SqlPart | undefined, pick: number): SqlPart {
  const h = hints(dialect);
  return {
    sql: `SELECT m.time_num AS time_num, m.partition_tag AS partition_tag, m.mail_id AS mail_id FROM msgs m${h.timeIndex}
  WHERE (m.partition_tag, m.mail_id) IN (SELECT mr.partition_tag, mr.mail_id FROM msgrcpt mr WHERE mr.rid IN (:walkRids))${from ? ` AND ${from.sql}` : ''}
  ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC LIMIT ${pick}`,
    replacements: { walkRids: rids, ...(from?.replacements ?? {}) },
  };
}

/** Plan "keys first", step 2: the matching rows of the walked messages, read by primary key. */
export function rowsOfMessagesSql(
  dialect: Dialect,
  keys: ReadonlyArray<{ partition_tag: number; mail_id: Buffer | string }>,
  rowWhere: SqlPart,
  rowKeysetPart: SqlPart | undefined,
): SqlPart {
  const h = hints(dialect);
  const replacements: Record<string, unknown> = { ...rowWhere.replacements, ...(rowKeysetPart?.replacements ?? {}) };
  const pairs = keys.map((key, i) => {
    replacements[`wp${i}`] = key.partition_tag;
    replacements[`wm${i}`] = Buffer.isBuffer(key.mail_id) ? key.mail_id : Buffer.from(key.mail_id);
    return dialect === 'sqlite' ? `(m.partition_tag = :wp${i} AND m.mail_id = :wm${i})` : `(:wp${i}, :wm${i})`;
  });
  const keyed = dialect === 'sqlite' ? `(${pairs.join(' OR ')})` : `(m.partition_tag, m.mail_id) IN (${pairs.join(', ')})`;
  return {
    sql: `SELECT ${h.straight}${ROW_COLUMNS}
  FROM msgs m
  JOIN msgrcpt mr${h.noRidIndex} ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
  ${JOIN_ROW}
  WHERE ${keyed} AND m.quar_type = 'Q' AND m.content IS NOT NULL AND ${rowWhere.sql}${rowKeysetPart ? ` AND ${rowKeysetPart.sql}` : ''}
  ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC, mr.rseqnum DESC`,
    replacements,
  };
}
