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
import { HELD_COPY, JOIN_ROW, ROW_COLUMNS, messageKeyset, orderBy, rowKeyset, type ListCursor, type SqlPart } from './list-parts';

export * from './list-parts';

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
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY} AND ${where.sql}
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
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY} AND ${rowWhere.sql}${rowKeysetPart ? ` AND ${rowKeysetPart.sql}` : ''}
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
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY} AND ${rowWhere.sql}${rowKey ? ` AND ${rowKey.sql}` : ''}
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
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY} AND ${rowWhere.sql}${rowKeysetPart ? ` AND ${rowKeysetPart.sql}` : ''}
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
  WHERE ${keyed} AND m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY} AND ${rowWhere.sql}${rowKeysetPart ? ` AND ${rowKeysetPart.sql}` : ''}
  ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC, mr.rseqnum DESC`,
    replacements,
  };
}
