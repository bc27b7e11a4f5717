/**
 * The list index: our own projection of amavis's quarantine, one row per listable recipient copy
 * (msgs.quar_type = 'Q', content set, msgrcpt.rs not 'D'), with the keys every filter and sort needs
 * side by side, so that each question is one ordered index range instead of a join over a million rows.
 * amavisd never writes it: the indexer (list-indexer.ts) fills it from msgs/msgrcpt/maddr, so amavisd's
 * inserts are exactly as fast as before.
 *
 * Columns: the copy's key (partition_tag, mail_id, rseqnum); rid and rdomain (maddr.domain, reversed) for
 * a user's and a domain admin's scope; time_num; score (the recipient's level, else the message's, as the
 * old plans sort); content and rs for the type and status filters; sender and subject, the lowercased
 * first 64 characters of the From header (else the envelope sender) and of the subject, as sort keys in
 * code point order everywhere (utf8mb4_bin, COLLATE "C", SQLite's BINARY);
 * search, the lowercased subject, From, envelope sender and recipient, under a text index (MariaDB/MySQL
 * FULLTEXT, PostgreSQL pg_trgm GIN). id is a surrogate that breaks ties in every order and keeps the
 * secondary indexes small.
 *
 * Each scope column (none, rid, rdomain) has one index per order (date, score, sender, subject) and one
 * for the type filter; a backward scan serves the other direction.
 */

import { isMysql, type Dialect } from './dialect';
import { dropStatsDdl, statsDdl } from './stats-ddl';

export const LIST_TABLE = 'aq_list';
export const LIST_STATE_TABLE = 'aq_list_state';
/** Where the rotating check continues: the last key it checked (one row, none at the start of a pass). */
export const LIST_CHECK_TABLE = 'aq_list_check_at';
/** The check's walk in key order, covering: it reads the listed rs and time without visiting the table. */
export const CHECK_INDEX = { name: 'aq_list_ck', columns: ['partition_tag', 'mail_id', 'rseqnum', 'rs', 'time_num'] };

/** The orders the index serves, and the column each sorts on before time_num, id. */
export const SORT_COLUMNS = { date: null, score: 'score', sender: 'sender', subject: 'subject' } as const;
export type ListSort = keyof typeof SORT_COLUMNS;

const SCOPES = [
  ['', []],
  ['r', ['rid']],
  ['d', ['rdomain']],
] as const;

/** Every secondary index of the list table: name and columns (the id tie-breaker is appended). */
export function listIndexes(): Array<{ name: string; columns: string[] }> {
  const out: Array<{ name: string; columns: string[] }> = [];
  for (const [prefix, scope] of SCOPES) {
    out.push({ name: `aq_list_${prefix}t`, columns: [...scope, 'time_num'] });
    out.push({ name: `aq_list_${prefix}s`, columns: [...scope, 'score', 'time_num'] });
    out.push({ name: `aq_list_${prefix}f`, columns: [...scope, 'sender', 'time_num'] });
    out.push({ name: `aq_list_${prefix}j`, columns: [...scope, 'subject', 'time_num'] });
    out.push({ name: `aq_list_${prefix}c`, columns: [...scope, 'content', 'time_num'] });
  }
  out.push(CHECK_INDEX);
  return out;
}

export const SEARCH_INDEX = 'aq_list_search';

/** The statements that create the list index and the statistics rollup it feeds (stats-ddl.ts), in order; each is safe to run again. */
export function listIndexDdl(dialect: Dialect): string[] {
  const indexes = listIndexes();
  if (isMysql(dialect)) {
    const text = (n: number, collation: string) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`;
    return [
      // Stopwords off for the text index (the session setting is read when the index is built): "com",
      // "de" or "will" are words people search for in mail.
      'SET SESSION innodb_ft_enable_stopword = OFF',
      `CREATE TABLE IF NOT EXISTS ${LIST_TABLE} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  partition_tag INT NOT NULL,
  mail_id VARBINARY(16) NOT NULL,
  rseqnum INT NOT NULL,
  rid BIGINT UNSIGNED NOT NULL,
  rdomain ${text(255, 'utf8mb4_bin')},
  time_num INT UNSIGNED NOT NULL,
  score DECIMAL(12,3) NOT NULL,
  content CHAR(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  rs CHAR(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sender ${text(64, 'utf8mb4_bin')},
  subject ${text(64, 'utf8mb4_bin')},
  -- Binary: the text is lowercased already, and FULLTEXT then matches accents as the REGEXP of the walk
  -- does (résumé is not resume), so a search finds the same rows whichever way it goes.
  search TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY aq_list_key (partition_tag, mail_id, rseqnum)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      // MariaDB's IF NOT EXISTS; MySQL has none, and migrate skips the indexes that exist (indexStatement).
      ...indexes.map((i) => `CREATE INDEX IF NOT EXISTS ${i.name} ON ${LIST_TABLE} (${i.columns.join(', ')})`),
      `CREATE FULLTEXT INDEX IF NOT EXISTS ${SEARCH_INDEX} ON ${LIST_TABLE} (search)`,
      stateDdl(dialect),
      checkAtDdl(dialect),
      ...statsDdl(dialect),
    ];
  }
  if (dialect === 'postgres') {
    return [
      'CREATE EXTENSION IF NOT EXISTS pg_trgm',
      `CREATE TABLE IF NOT EXISTS ${LIST_TABLE} (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partition_tag INTEGER NOT NULL,
  mail_id BYTEA NOT NULL,
  rseqnum INTEGER NOT NULL,
  rid BIGINT NOT NULL,
  rdomain TEXT NOT NULL,
  time_num INTEGER NOT NULL,
  score NUMERIC(12,3) NOT NULL,
  content CHAR(1) NOT NULL,
  rs CHAR(1) NOT NULL,
  sender TEXT COLLATE "C" NOT NULL,
  subject TEXT COLLATE "C" NOT NULL,
  search TEXT NOT NULL,
  CONSTRAINT aq_list_key UNIQUE (partition_tag, mail_id, rseqnum)
)`,
      ...indexes.map((i) => `CREATE INDEX IF NOT EXISTS ${i.name} ON ${LIST_TABLE} (${i.columns.join(', ')}, id)`),
      `CREATE INDEX IF NOT EXISTS ${SEARCH_INDEX} ON ${LIST_TABLE} USING gin (search gin_trgm_ops)`,
      stateDdl(dialect),
      checkAtDdl(dialect),
      ...statsDdl(dialect),
    ];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${LIST_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partition_tag INTEGER NOT NULL,
  mail_id BLOB NOT NULL,
  rseqnum INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  rdomain TEXT NOT NULL,
  time_num INTEGER NOT NULL,
  score NUMERIC NOT NULL,
  content TEXT NOT NULL,
  rs TEXT NOT NULL,
  sender TEXT NOT NULL,
  subject TEXT NOT NULL,
  search TEXT NOT NULL,
  UNIQUE (partition_tag, mail_id, rseqnum)
)`,
    ...indexes.map((i) => `CREATE INDEX IF NOT EXISTS ${i.name} ON ${LIST_TABLE} (${i.columns.join(', ')}, id)`),
    stateDdl(dialect),
    checkAtDdl(dialect),
    ...statsDdl(dialect),
  ];
}

/**
 * One row (id = 1): how far the first build has come (built_to, a time_num), whether it is complete
 * (ready), when the last sweep ran and where the orphan check continues.
 */
function stateDdl(dialect: Dialect): string {
  const bigint = dialect === 'postgres' ? 'BIGINT' : isMysql(dialect) ? 'BIGINT' : 'INTEGER';
  return `CREATE TABLE IF NOT EXISTS ${LIST_STATE_TABLE} (
  id INTEGER NOT NULL PRIMARY KEY,
  built_to ${bigint} NOT NULL,
  ready INTEGER NOT NULL,
  swept_at ${bigint} NOT NULL,
  check_after ${bigint} NOT NULL
)`;
}

/**
 * One row (id = 1) while a pass of the rotating check is under way: the key (partition_tag, mail_id,
 * rseqnum) of the last list row it checked. The check walks the list table in that order, the order of
 * msgrcpt's and msgs' primary keys, so that a slice reads neighbouring pages of theirs, not one page a row.
 */
function checkAtDdl(dialect: Dialect): string {
  const binary = dialect === 'postgres' ? 'BYTEA' : isMysql(dialect) ? 'VARBINARY(16)' : 'BLOB';
  return `CREATE TABLE IF NOT EXISTS ${LIST_CHECK_TABLE} (
  id INTEGER NOT NULL PRIMARY KEY,
  partition_tag INTEGER NOT NULL,
  mail_id ${binary} NOT NULL,
  rseqnum INTEGER NOT NULL
)`;
}

/** The index a statement creates, so that migrate can skip it when it exists (MySQL has no IF NOT EXISTS). */
export function indexStatement(sql: string): string | undefined {
  return /^CREATE (?:FULLTEXT )?INDEX IF NOT EXISTS (\w+)/.exec(sql)?.[1];
}

/** The statements that remove the list index (`npm run migrate -- --down`). */
export function dropListIndexDdl(): string[] {
  return [...dropStatsDdl(), `DROP TABLE IF EXISTS ${LIST_CHECK_TABLE}`, `DROP TABLE IF EXISTS ${LIST_STATE_TABLE}`, `DROP TABLE IF EXISTS ${LIST_TABLE}`];
}
