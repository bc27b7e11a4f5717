/**
 * The statements of the list indexer (list-indexer.ts): copy a time range of quarantined copies from
 * msgs/msgrcpt/maddr into the list table, prune what amavis's own cleanup removed, and check a slice of
 * the table against msgrcpt. Pure builders.
 */

import { advisoryLockSql, LIST_INDEXER_LOCK } from '../db/advisory-lock';
import type { Dialect } from './dialect';
import { LIST_CHECK_TABLE, LIST_STATE_TABLE, LIST_TABLE } from './list-index-ddl';
import { HELD_COPY, type SqlPart } from './list-parts';

const isMysql = (d: Dialect) => d === 'mariadb' || d === 'mysql';

/** An address column (VARBINARY, bytea, BLOB) as text: LATIN1 on PostgreSQL takes every byte, as the search does. */
function addressText(dialect: Dialect, expr: string): string {
  if (isMysql(dialect)) return `CONVERT(${expr} USING utf8mb4) COLLATE utf8mb4_bin`;
  if (dialect === 'postgres') return `convert_from(${expr}, 'LATIN1')`;
  return `CAST(${expr} AS TEXT)`;
}

const unquoted = (dialect: Dialect, expr: string) => (dialect === 'sqlite' ? `LTRIM(${expr}, '" ')` : `TRIM(LEADING '"' FROM ${expr})`);

const left64 = (dialect: Dialect, expr: string) => (dialect === 'sqlite' ? `SUBSTR(${expr}, 1, 64)` : `LEFT(${expr}, 64)`);

/** The columns of a list row, computed from m, mr, r (recipient) and s (sender), in LIST_COLUMNS order. */
export function projectedColumns(dialect: Dialect): string {
  const sender = addressText(dialect, 's.email');
  const recipient = addressText(dialect, 'r.email');
  const text = (expr: string) => (isMysql(dialect) ? `${expr} COLLATE utf8mb4_bin` : expr);
  const score =
    dialect === 'sqlite'
      ? 'ROUND(COALESCE(mr.bspam_level, m.spam_level, -9999), 3)'
      : `CAST(COALESCE(mr.bspam_level, m.spam_level, -9999) AS ${dialect === 'postgres' ? 'NUMERIC' : 'DECIMAL'}(12,3))`;
  const concat =
    dialect === 'sqlite'
      ? `COALESCE(m.subject, '') || ' ' || COALESCE(m.from_addr, '') || ' ' || COALESCE(${sender}, '') || ' ' || COALESCE(${recipient}, '')`
      : `CONCAT_WS(' ', ${text('m.subject')}, ${text('m.from_addr')}, ${sender}, ${recipient})`;
  return [
    'mr.partition_tag',
    'mr.mail_id',
    'mr.rseqnum',
    'mr.rid',
    "COALESCE(r.domain, '')",
    'm.time_num',
    score,
    `COALESCE(NULLIF(TRIM(mr.content), ''), m.content)`,
    `COALESCE(TRIM(mr.rs), '')`,
    // A quoted display name ("Accounts" <billing@…>) sorts by its first letter, not by the quote.
    `LOWER(${left64(dialect, unquoted(dialect, `COALESCE(NULLIF(${text('m.from_addr')}, ''), ${sender}, '')`))})`,
    `LOWER(${left64(dialect, `COALESCE(${text('m.subject')}, '')`)})`,
    `LOWER(${concat})`,
  ].join(',\n    ');
}

export const LIST_COLUMNS = 'partition_tag, mail_id, rseqnum, rid, rdomain, time_num, score, content, rs, sender, subject, search';

/**
 * Copies the listable copies of messages with from <= time_num < to that are not in the list table yet.
 * Idempotent: the anti-join skips what is there (no id is used up), the unique key refuses a copy that
 * another writer added meanwhile.
 */
export function copyRangeSql(dialect: Dialect, from: number, to: number): SqlPart {
  const timeIndex = isMysql(dialect) ? ' FORCE INDEX (msgs_idx_time_num)' : '';
  const select = `SELECT ${projectedColumns(dialect)}
  FROM msgs m${timeIndex}
  JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
  JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid
  WHERE m.time_num >= :from AND m.time_num < :to AND m.quar_type = 'Q' AND m.content IS NOT NULL AND mr.rs <> 'D' AND ${HELD_COPY}
    AND NOT EXISTS (SELECT 1 FROM ${LIST_TABLE} l WHERE l.partition_tag = mr.partition_tag AND l.mail_id = mr.mail_id AND l.rseqnum = mr.rseqnum)`;
  const sql = isMysql(dialect)
    ? `INSERT IGNORE INTO ${LIST_TABLE} (${LIST_COLUMNS})\n  ${select}`
    : dialect === 'postgres'
      ? `INSERT INTO ${LIST_TABLE} (${LIST_COLUMNS})\n  ${select}\n  ON CONFLICT DO NOTHING`
      : `INSERT OR IGNORE INTO ${LIST_TABLE} (${LIST_COLUMNS})\n  ${select}`;
  return { sql, replacements: { from, to } };
}

/** The time_num that ends a build chunk of about `size` messages after `after` (null: the rest). */
export function chunkEndSql(size: number): string {
  return `SELECT time_num FROM msgs WHERE time_num > :after ORDER BY time_num LIMIT 1 OFFSET ${Math.max(0, Math.floor(size))}`;
}

/**
 * Rows of messages older than every message left in msgs: amavis's own cleanup (or ours) removed them.
 * The oldest `limit` of them are found through the time index. On MariaDB/MySQL the DELETE joins them
 * as a derived table: its `id IN (…)` form (the only one MySQL allows with a LIMIT on the same table) is
 * run as a dependent subquery for every row of the table, a full scan on every turn (1.4 s of MariaDB's
 * CPU a second at a million messages, with nothing to prune).
 */
export function pruneOldSql(dialect: Dialect, limit: number): string {
  const oldest = `SELECT id FROM ${LIST_TABLE} WHERE time_num < (SELECT COALESCE(MIN(time_num), 4294967295) FROM msgs) ORDER BY time_num LIMIT ${Math.floor(limit)}`;
  if (isMysql(dialect)) return `DELETE l FROM ${LIST_TABLE} l JOIN (${oldest}) x ON x.id = l.id`;
  return `DELETE FROM ${LIST_TABLE} WHERE id IN (${oldest})`;
}

/** A slice of the list table by id, with what msgrcpt and msgs say about each row now (amavisd never changes time_num; other tools may). */
export function checkSliceSql(limit: number): string {
  return `SELECT l.id AS id, l.rs AS listed_rs, mr.rs AS rs, mr.content AS content, m.quar_type AS quar_type, l.time_num AS listed_time, m.time_num AS time_num
  FROM ${LIST_TABLE} l
  LEFT JOIN msgrcpt mr ON mr.partition_tag = l.partition_tag AND mr.mail_id = l.mail_id AND mr.rseqnum = l.rseqnum
  LEFT JOIN msgs m ON m.partition_tag = l.partition_tag AND m.mail_id = l.mail_id
  WHERE l.id > :after ORDER BY l.id LIMIT ${Math.floor(limit)}`;
}

/** A list row of a check slice, with its copy's current rs and content and its message's time (null: gone). */
export interface CheckRow {
  id: number | string;
  listed_rs: string | null;
  content: string | null;
  rs: string | null;
  quar_type: string | null;
  listed_time: number;
  time_num: number | null;
}

/**
 * The next slice of the rotating check in key order (partition_tag, mail_id, rseqnum): after the key :p, :m,
 * :r when `after`, else from the start. That is the order of msgrcpt's and msgs' primary keys, so a slice
 * reads neighbouring pages of theirs instead of one random page a row, and aq_list_ck covers the list
 * table's side. MariaDB plans the written-out comparison as a range; PostgreSQL the row comparison.
 */
export function checkKeySliceSql(dialect: Dialect, limit: number, after: boolean): string {
  const past = !after
    ? ''
    : dialect === 'postgres'
      ? 'WHERE (l.partition_tag, l.mail_id, l.rseqnum) > (:p, :m, :r)'
      : 'WHERE (l.partition_tag > :p OR (l.partition_tag = :p AND (l.mail_id > :m OR (l.mail_id = :m AND l.rseqnum > :r))))';
  return `SELECT l.id AS id, l.rs AS listed_rs, mr.rs AS rs, mr.content AS content, m.quar_type AS quar_type, l.time_num AS listed_time, m.time_num AS time_num,
    l.partition_tag AS k_p, l.mail_id AS k_m, l.rseqnum AS k_r
  FROM ${LIST_TABLE} l
  LEFT JOIN msgrcpt mr ON mr.partition_tag = l.partition_tag AND mr.mail_id = l.mail_id AND mr.rseqnum = l.rseqnum
  LEFT JOIN msgs m ON m.partition_tag = l.partition_tag AND m.mail_id = l.mail_id
  ${past} ORDER BY l.partition_tag, l.mail_id, l.rseqnum LIMIT ${Math.floor(limit)}`;
}

export const readCheckAtSql = `SELECT partition_tag, mail_id, rseqnum FROM ${LIST_CHECK_TABLE} WHERE id = 1`;
export const clearCheckAtSql = `DELETE FROM ${LIST_CHECK_TABLE}`;
export const writeCheckAtSql = `INSERT INTO ${LIST_CHECK_TABLE} (id, partition_tag, mail_id, rseqnum) VALUES (1, :p, :m, :r)`;

export const deleteIdsSql = `DELETE FROM ${LIST_TABLE} WHERE id IN (:ids)`;
export const setRsSql = `UPDATE ${LIST_TABLE} SET rs = :rs, time_num = :t WHERE id = :id`;
export const readStateSql = `SELECT built_to, ready, swept_at, check_after FROM ${LIST_STATE_TABLE} WHERE id = 1`;
export const insertStateSql = `INSERT INTO ${LIST_STATE_TABLE} (id, built_to, ready, swept_at, check_after) VALUES (1, 0, 0, 0, 0)`;
export const writeStateSql = `UPDATE ${LIST_STATE_TABLE} SET built_to = :builtTo, ready = :ready, swept_at = :sweptAt, check_after = :checkAfter WHERE id = 1`;

/** Keeps one copy's list row in step with an rs change we made: gone when deleted, else its new rs. */
export function followRsSql(to: string): string {
  const key = 'partition_tag = :p AND mail_id = :m AND rseqnum = :r';
  return to === 'D' ? `DELETE FROM ${LIST_TABLE} WHERE ${key}` : `UPDATE ${LIST_TABLE} SET rs = :to WHERE ${key}`;
}

/** The list indexer's advisory lock statements (db/advisory-lock.ts). */
export const lockSql = (dialect: Dialect) => advisoryLockSql(dialect, LIST_INDEXER_LOCK);
