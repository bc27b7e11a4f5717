/**
 * The SQL of the quarantine listing, as pure builders. Aliases: m = msgs, mr = msgrcpt, r = the
 * recipient's maddr row, s = the sender's maddr row.
 *
 * Two plans serve the same ordering:
 * - by recipient: start from the user's msgrcpt rows (index on rid), join msgs, sort. Cheap while the
 *   user has few rows; a heavy user would sort tens of thousands of rows for each page.
 * - by time: walk msgs newest first on its time_num index and keep the messages that have a matching
 *   recipient row; then fetch those messages' recipient rows. Cheap for heavy users and super users,
 *   because a page is found after a short walk; a light user would walk far.
 * Keyset predicates are written out (a < x OR (a = x AND …)): MariaDB is far slower on row-constructor
 * comparisons.
 */

export type Dialect = 'mysql' | 'sqlite';

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

export const ROW_COLUMNS = `m.partition_tag AS partition_tag, m.mail_id AS mail_id, mr.rseqnum AS rseqnum, m.time_num AS time_num,
  m.size AS size, m.from_addr AS from_addr, m.subject AS subject, m.spam_level AS spam_level, mr.content AS content,
  mr.rs AS rs, mr.bspam_level AS bspam_level, r.email AS recipient, s.email AS sender`;

/** The score expression both plans sort on: the recipient's level, else the message's. */
export const scoreExpr = (dialect: Dialect) =>
  dialect === 'mysql' ? 'CAST(COALESCE(mr.bspam_level, m.spam_level, -9999) AS DECIMAL(12,3))' : 'ROUND(COALESCE(mr.bspam_level, m.spam_level, -9999), 3)';

/** A case-insensitive LIKE that also works on amavis's binary columns (email VARBINARY, subject utf8mb4_bin). */
export function ciLike(dialect: Dialect, expr: string, param: string): string {
  return dialect === 'mysql' ? `CONVERT(${expr} USING utf8mb4) COLLATE utf8mb4_general_ci LIKE :${param}` : `${expr} LIKE :${param}`;
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

/** The keyset predicate for rows strictly after the cursor, in expanded form. */
export function rowKeyset(dialect: Dialect, cursor: ListCursor): SqlPart {
  const replacements = { kt: cursor.timeNum, kp: cursor.partitionTag, km: Buffer.from(cursor.mailId), kr: cursor.rseqnum };
  const date =
    '(m.time_num < :kt OR (m.time_num = :kt AND (m.partition_tag < :kp OR (m.partition_tag = :kp AND ' +
    '(m.mail_id < :km OR (m.mail_id = :km AND mr.rseqnum < :kr))))))';
  if (cursor.sort === 'date') return { sql: date, replacements };
  const score = scoreExpr(dialect);
  return { sql: `(${score} < :ks OR (${score} = :ks AND ${date}))`, replacements: { ...replacements, ks: cursor.score ?? '0' } };
}

/** The message-level keyset of the time plan: the cursor's own message is kept (its rows are cut later). */
export function messageKeyset(cursor: ListCursor): SqlPart {
  return {
    sql:
      '(m.time_num < :kt OR (m.time_num = :kt AND (m.partition_tag < :kp OR (m.partition_tag = :kp AND m.mail_id <= :km))))',
    replacements: { kt: cursor.timeNum, kp: cursor.partitionTag, km: Buffer.from(cursor.mailId) },
  };
}

const JOIN_ROW = `JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid`;

/** Plan "by recipient": one query, from the user's msgrcpt rows. */
export function recipientPlanSql(dialect: Dialect, where: SqlPart, sort: 'date' | 'score' | 'unordered', limit: number): SqlPart {
  const straight = dialect === 'mysql' ? 'STRAIGHT_JOIN ' : '';
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

/** Plan "by time", step 1: the next messages, newest first, that have a matching recipient row. */
export function timePlanMessagesSql(dialect: Dialect, rowWhere: SqlPart, messageWhere: SqlPart, limit: number): SqlPart {
  const force = dialect === 'mysql' ? ' FORCE INDEX (msgs_idx_time_num)' : ' INDEXED BY msgs_idx_time_num';
  return {
    sql: `SELECT m.partition_tag AS partition_tag, m.mail_id AS mail_id
  FROM msgs m${force}
  WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND ${messageWhere.sql}
    AND EXISTS (SELECT 1 FROM msgrcpt mr ${JOIN_ROW}
      WHERE mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id AND ${rowWhere.sql})
  ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC
  LIMIT ${limit}`,
    replacements: { ...rowWhere.replacements, ...messageWhere.replacements },
  };
}

/** Plan "by time", step 2: the matching recipient rows of the messages step 1 found. */
export function timePlanRowsSql(rowWhere: SqlPart, messages: ReadonlyArray<{ partition_tag: number; mail_id: Buffer | string }>): SqlPart {
  const replacements: Record<string, unknown> = { ...rowWhere.replacements };
  const keys = messages.map((msg, i) => {
    replacements[`tp${i}`] = msg.partition_tag;
    replacements[`tm${i}`] = Buffer.isBuffer(msg.mail_id) ? msg.mail_id : Buffer.from(msg.mail_id);
    return `(mr.partition_tag = :tp${i} AND mr.mail_id = :tm${i})`;
  });
  return {
    sql: `SELECT ${ROW_COLUMNS}
  FROM msgrcpt mr
  JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id
  ${JOIN_ROW}
  WHERE (${keys.join(' OR ')}) AND ${rowWhere.sql}`,
    replacements,
  };
}
