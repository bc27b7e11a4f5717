/**
 * The statistics rollup, beside the list index in the amavis database: `npm run migrate` creates both.
 * It lives there, not with our app tables (AQ_APP_DB_URL may be another server), because it is written in
 * the same transactions as what it counts: the list indexer's inserts into aq_list (a copy counts as
 * quarantined once, when it is first listed) and rs.ts's changes of msgrcpt.rs (released, requested,
 * deleted). One transaction is what makes each count happen exactly once, without a distributed commit.
 *
 * - aq_stats: one row per level and key (kind 'r' a recipient's maddr id, 'd' a domain as maddr.domain
 *   stores it, reversed, 's' the site with key ''), UTC day (time_num DIV 86400, the message's arrival) and
 *   content code, with four counters. A user's, a domain's or the site's days are one primary-key range.
 * - aq_stats_pending: the rs changes made since the indexer's last turn, written by rs.ts with the copy's
 *   day, recipient, domain and type; the indexer folds them into aq_stats and deletes them. (rs.ts never
 *   writes aq_stats itself: a release would then wait on the indexer's row locks, and its upserts on one
 *   hot domain row could deadlock each other.)
 * - aq_stats_state: how far aq_list has been counted (its ids only grow; one indexer inserts at a time),
 *   and up to when the rollup is complete.
 */

import { isMysql, type Dialect } from './dialect';

export const STATS_TABLE = 'aq_stats';
export const STATS_PENDING_TABLE = 'aq_stats_pending';
export const STATS_STATE_TABLE = 'aq_stats_state';

/** The statements that create the rollup's tables; each is safe to run again. */
export function statsDdl(dialect: Dialect): string[] {
  const mysql = isMysql(dialect);
  const code = mysql ? 'CHAR(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL' : dialect === 'postgres' ? 'CHAR(1) NOT NULL' : 'TEXT NOT NULL';
  const key = mysql ? 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL' : dialect === 'postgres' ? 'TEXT COLLATE "C" NOT NULL' : 'TEXT NOT NULL';
  const counter = mysql ? 'INT UNSIGNED NOT NULL DEFAULT 0' : 'INTEGER NOT NULL DEFAULT 0';
  const bigint = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const id = mysql
    ? 'BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY'
    : dialect === 'postgres'
      ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'
      : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const engine = mysql ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : '';
  return [
    `CREATE TABLE IF NOT EXISTS ${STATS_TABLE} (
  kind ${code},
  scope ${key},
  day_num INTEGER NOT NULL,
  content ${code},
  quarantined ${counter},
  released ${counter},
  requested ${counter},
  deleted ${counter},
  PRIMARY KEY (kind, scope, day_num, content)
)${engine}`,
    `CREATE TABLE IF NOT EXISTS ${STATS_PENDING_TABLE} (
  id ${id},
  day_num INTEGER NOT NULL,
  rid ${bigint} NOT NULL,
  rdomain ${key},
  content ${code},
  action ${code}
)${engine}`,
    `CREATE TABLE IF NOT EXISTS ${STATS_STATE_TABLE} (
  id INTEGER NOT NULL PRIMARY KEY,
  counted_id ${bigint} NOT NULL,
  up_to ${bigint} NOT NULL
)${engine}`,
  ];
}

/** The statements that remove them (with the list index: the rollup counts aq_list's ids, which start again). */
export function dropStatsDdl(): string[] {
  return [`DROP TABLE IF EXISTS ${STATS_STATE_TABLE}`, `DROP TABLE IF EXISTS ${STATS_PENDING_TABLE}`, `DROP TABLE IF EXISTS ${STATS_TABLE}`];
}

/** A time_num as its UTC day number, in SQL. */
export function dayOf(dialect: Dialect, expr: string): string {
  return isMysql(dialect) ? `(${expr} DIV 86400)` : `(${expr} / 86400)`;
}
