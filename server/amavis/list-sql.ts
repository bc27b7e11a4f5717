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
 * comparisons.
 *
 * PostgreSQL (README.sql-pg's schema and indexes; plans from `npm run bench:list -- --db postgres
 * --explain`, EXPLAIN (ANALYZE, BUFFERS) at 1M msgs) has no hints, and its secondary indexes hold no
 * primary key. Its planner prices index probes as disk reads, so left to itself it chose plans 20-40×
 * slower than these; each plan is therefore pinned by the statement's shape, in the postgres branches:
 * - by recipient: Index or Bitmap Scan on msgrcpt_idx_rid, msgs by primary key (msgs_partition_mail) in
 *   a LATERAL subquery with OFFSET 0, top-N sort. As a plain join it walked msgs_idx_time_num from the
 *   newest message for a 1.9k-row scope: 135k msgrcpt probes, 0.4-0.6 s.
 * - keys first: Index Scan Backward on msgs_idx_time_num filtered by a hashed SubPlan of the scope's
 *   keys (one Bitmap Heap Scan of its msgrcpt rows); then the picked messages by unnest and primary key.
 *   As a semi-join it probed msgrcpt once per walked message: 1M buffers, 0.6-1.5 s for 2.6k rows.
 * - by time: Index Scan Backward on msgs_idx_time_num, msgrcpt by key (msgrcpt_idx_mail_id) in a LATERAL
 *   subquery with OFFSET 0, Incremental Sort on the time_num prefix, LIMIT: about 1k buffers a page.
 * A plain bound on time_num goes in front of each keyset: PostgreSQL derives no index range from the OR.
 * The plans change places at other sizes than MariaDB's (listing.ts, PLAN_THRESHOLDS).
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

/**
 * Plan "by recipient": one query, from the user's msgrcpt rows. `pinned` (PostgreSQL) reads msgs by
 * primary key for each row, in a subquery the planner may not flatten (OFFSET 0), so that it cannot walk
 * the time index instead.
 */
export function recipientPlanSql(dialect: Dialect, where: SqlPart, sort: 'date' | 'score' | 'unordered', limit: number, pinned = false): SqlPart {
  const straight = hints(dialect).straight;
  const msgs =
    dialect === 'postgres' && pinned
      ? 'CROSS JOIN LATERAL (SELECT * FROM msgs m WHERE m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id OFFSET 0) m'
      : 'JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id';
  return {
    sql: `SELECT ${straight}${ROW_COLUMNS}
  FROM msgrcpt mr
  ${msgs}
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
  if (dialect === 'postgres') return timeRowsPostgres(rowWhere, cursor, limit);
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
 * Plan "by time" on PostgreSQL: one statement that walks msgs newest first and reads each message's
 * msgrcpt rows by key in a subquery the planner may not flatten, so the walk is the only way in and the
 * LIMIT ends it. The recipient list is planned once, not twice: its estimate costs ~2 µs an address.
 */
function timeRowsPostgres(rowWhere: SqlPart, cursor: ListCursor | undefined, limit: number): SqlPart {
  const rowKey = cursor ? rowKeyset('postgres', cursor) : undefined;
  return {
    sql: `SELECT ${ROW_COLUMNS}
  FROM msgs m
  CROSS JOIN LATERAL (SELECT * FROM msgrcpt mr WHERE mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id OFFSET 0) mr
  ${JOIN_ROW}
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${rowWhere.sql}${rowKey ? ` AND ${rowKey.sql}` : ''}
  ORDER BY ${orderBy('postgres', 'date')}
  LIMIT ${limit}`,
    replacements: { ...rowWhere.replacements, ...(rowKey?.replacements ?? {}) },
  };
}

/**
 * Plan "keys first", step 1, for scopes of a few thousand rows, where neither other plan fits: the
 * scope's message keys come from the rid index alone, and the time index is walked newest first keeping
 * the next `pick` of them, reading no rows at all.
 * PostgreSQL turns a top-level IN into a semi-join; under an OR (`m.time_num < 0` is never true: the
 * schema's CHECK) it stays a hashed SubPlan, built once. The hash must fit in work_mem × hash_mem_multiplier
 * (8 MB by default, ~100k keys): scopes here have fewer than timeFrom rows.
 */
export function keysFirstWalkSql(dialect: Dialect, rids: string[], from: SqlPart | undefined, pick: number): SqlPart {
  const h = hints(dialect);
  if (dialect === 'postgres') {
    return {
      sql: `SELECT m.time_num AS time_num, m.partition_tag AS partition_tag, m.mail_id AS mail_id FROM msgs m
  WHERE ((m.partition_tag, m.mail_id) IN (SELECT mr.partition_tag, mr.mail_id FROM msgrcpt mr WHERE mr.rid IN (:walkRids)) OR m.time_num < 0)${from ? ` AND ${from.sql}` : ''}
  ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC LIMIT ${pick}`,
      replacements: { walkRids: rids, ...(from?.replacements ?? {}) },
    };
  }
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
  if (dialect === 'postgres') {
    // Two arrays unnested side by side: a nested loop on msgs's primary key, 2 ms. A list of 100 row
    // constructors is 100 bitmap index scans OR-ed, and took 7 ms, most of it planning.
    return {
      sql: `SELECT ${ROW_COLUMNS}
  FROM unnest(ARRAY[:wp]::integer[], ARRAY[:wm]::bytea[]) AS k(partition_tag, mail_id)
  JOIN msgs m ON m.partition_tag = k.partition_tag AND m.mail_id = k.mail_id
  JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
  ${JOIN_ROW}
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${rowWhere.sql}${rowKeysetPart ? ` AND ${rowKeysetPart.sql}` : ''}
  ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC, mr.rseqnum DESC`,
      replacements: {
        ...replacements,
        wp: keys.map((key) => key.partition_tag),
        wm: keys.map((key) => (Buffer.isBuffer(key.mail_id) ? key.mail_id : Buffer.from(key.mail_id))),
      },
    };
  }
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
