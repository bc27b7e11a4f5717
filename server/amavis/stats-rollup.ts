import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Dialect } from './dialect';
import { LIST_TABLE } from './list-index-ddl';
import { HELD_COPY } from './list-parts';
import { isDeadlock, isNoSuchTable } from './db-errors';
import { STATS_PENDING_TABLE, STATS_STATE_TABLE, STATS_TABLE, dayOf } from './stats-ddl';

/**
 * Keeps the statistics rollup (stats-ddl.ts) in step, as a step of the list indexer's turn: in its
 * transaction and under its advisory lock.
 *
 * - **Quarantined**: every aq_list row counts once, by its id. Ids only grow, and only the indexer inserts,
 *   one instance at a time, so "ids above counted_id" are exactly the copies not counted yet: the sweeps that
 *   see rows again insert nothing (the anti-join and the unique key), and a big first build is counted
 *   chunk by chunk as it is inserted, or, when the list index was built before the rollup existed, in
 *   batches of BATCH ids a turn until it has caught up.
 * - **Released, requested, deleted**: rs.ts writes an aq_stats_pending row in the transaction that changes
 *   msgrcpt.rs; here they are added up and deleted by id (never by range: a release may commit a lower id
 *   after this turn read the table).
 *
 * The state row is read FOR UPDATE first: MariaDB's indexer frees its GET_LOCK just before its COMMIT, so
 * the next turn may start before the last one's rows are visible; the row lock makes it wait for them.
 */

/** aq_list rows counted per turn at most (a first build inserts up to 50,000 messages a chunk; the rest waits a turn). */
const BATCH = 50_000;
/** rs changes folded per turn at most. */
const PENDING_BATCH = 5_000;
/** Rows per upsert statement. */
const UPSERT_ROWS = 500;

const isMysql = (d: Dialect) => d === 'mariadb' || d === 'mysql';

type Counter = 'quarantined' | 'released' | 'requested' | 'deleted';
const COUNTERS: readonly Counter[] = ['quarantined', 'released', 'requested', 'deleted'];
const ACTION_COUNTER: Record<string, Counter> = { R: 'released', p: 'requested', D: 'deleted' };

interface Bucket extends Record<Counter, number> {
  kind: 'r' | 'd' | 's';
  scope: string;
  day: number;
  content: string;
}

/** Adds `n` to one counter of a copy's three rows: its recipient's, its domain's and the site's. */
function add(buckets: Map<string, Bucket>, copy: { day: number; rid: string; rdomain: string; content: string }, counter: Counter, n: number) {
  for (const [kind, scope] of [
    ['r', copy.rid],
    ['d', copy.rdomain],
    ['s', ''],
  ] as const) {
    const key = `${kind}\u0000${scope}\u0000${copy.day}\u0000${copy.content}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { kind, scope, day: copy.day, content: copy.content, quarantined: 0, released: 0, requested: 0, deleted: 0 };
      buckets.set(key, bucket);
    }
    bucket[counter] += n;
  }
}

/** An upsert that adds each row's counters to what is there. */
function upsertSql(dialect: Dialect, rows: number): string {
  const values = Array.from({ length: rows }, (_, i) => `(:k${i}, :s${i}, :d${i}, :c${i}, :q${i}, :r${i}, :p${i}, :x${i})`).join(', ');
  const head = `INSERT INTO ${STATS_TABLE} (kind, scope, day_num, content, ${COUNTERS.join(', ')}) VALUES ${values}`;
  if (isMysql(dialect)) return `${head} ON DUPLICATE KEY UPDATE ${COUNTERS.map((c) => `${c} = ${c} + VALUES(${c})`).join(', ')}`;
  return `${head} ON CONFLICT (kind, scope, day_num, content) DO UPDATE SET ${COUNTERS.map((c) => `${c} = ${STATS_TABLE}.${c} + excluded.${c}`).join(', ')}`;
}

/**
 * One rollup step inside the indexer's transaction. `listedUpTo` is the time up to which aq_list holds
 * every copy (the sweep's time once the list index is built); the rollup is complete up to it once it
 * has counted every row.
 */
export async function rollUpStats(sequelize: Sequelize, t: Transaction, dialect: Dialect, listedUpTo: number): Promise<void> {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction: t, replacements });
  const exec = (sql: string, replacements: Record<string, unknown> = {}) => sequelize.query(sql, { transaction: t, replacements });
  const forUpdate = dialect === 'sqlite' ? '' : ' FOR UPDATE';
  const readState = () => select<{ counted_id: string | number; up_to: string | number }>(`SELECT counted_id, up_to FROM ${STATS_STATE_TABLE} WHERE id = 1${forUpdate}`);
  let [state] = await readState();
  if (!state) {
    const insert = `INTO ${STATS_STATE_TABLE} (id, counted_id, up_to) VALUES (1, 0, 0)`;
    await exec(isMysql(dialect) ? `INSERT IGNORE ${insert}` : dialect === 'postgres' ? `INSERT ${insert} ON CONFLICT DO NOTHING` : `INSERT OR IGNORE ${insert}`);
    [state] = await readState();
  }
  const counted = String(state?.counted_id ?? 0);
  const buckets = new Map<string, Bucket>();

  const [top] = await select<{ upto: string | number | null; n: string | number }>(
    `SELECT MAX(id) AS upto, COUNT(*) AS n FROM (SELECT id FROM ${LIST_TABLE} WHERE id > :counted ORDER BY id LIMIT ${BATCH}) x`,
    { counted },
  );
  const upto = top?.upto === null || top?.upto === undefined ? counted : String(top.upto);
  if (upto !== counted) {
    const day = dayOf(dialect, 'time_num');
    const listed = await select<{ day_num: number; rid: string | number; rdomain: string; content: string; n: string | number }>(
      `SELECT ${day} AS day_num, rid, rdomain, content, COUNT(*) AS n FROM ${LIST_TABLE} WHERE id > :counted AND id <= :upto GROUP BY ${day}, rid, rdomain, content`,
      { counted, upto },
    );
    for (const row of listed) add(buckets, { day: Number(row.day_num), rid: String(row.rid), rdomain: row.rdomain, content: row.content }, 'quarantined', Number(row.n));
  }

  const pending = await select<{ id: string | number; day_num: number; rid: string | number; rdomain: string; content: string; action: string }>(
    `SELECT id, day_num, rid, rdomain, content, action FROM ${STATS_PENDING_TABLE} ORDER BY id LIMIT ${PENDING_BATCH}`,
  );
  for (const row of pending) {
    const counter = ACTION_COUNTER[row.action];
    if (counter) add(buckets, { day: Number(row.day_num), rid: String(row.rid), rdomain: row.rdomain, content: row.content }, counter, 1);
  }

  const rows = [...buckets.values()];
  for (let i = 0; i < rows.length; i += UPSERT_ROWS) {
    const chunk = rows.slice(i, i + UPSERT_ROWS);
    const replacements: Record<string, unknown> = {};
    chunk.forEach((b, j) => {
      Object.assign(replacements, { [`k${j}`]: b.kind, [`s${j}`]: b.scope, [`d${j}`]: b.day, [`c${j}`]: b.content });
      Object.assign(replacements, { [`q${j}`]: b.quarantined, [`r${j}`]: b.released, [`p${j}`]: b.requested, [`x${j}`]: b.deleted });
    });
    await exec(upsertSql(dialect, chunk.length), replacements);
  }
  for (let i = 0; i < pending.length; i += 1_000) {
    await exec(`DELETE FROM ${STATS_PENDING_TABLE} WHERE id IN (:ids)`, { ids: pending.slice(i, i + 1_000).map((row) => String(row.id)) });
  }
  const caughtUp = Number(top?.n ?? 0) < BATCH;
  const upTo = caughtUp ? listedUpTo : Number(state?.up_to ?? 0);
  await exec(`UPDATE ${STATS_STATE_TABLE} SET counted_id = :upto, up_to = :upTo WHERE id = 1`, { upto, upTo });
}

const presence = new WeakMap<Sequelize, { at: number; present: Promise<boolean> }>();

/**
 * Whether `npm run migrate` has created the rollup's tables; asked outside any transaction (a missing
 * table would abort a PostgreSQL transaction) and remembered for 10 s. A failing database answers
 * false, unremembered: a count is lost then, but an action is never refused because of statistics.
 */
export function statsInstalled(sequelize: Sequelize): Promise<boolean> {
  const known = presence.get(sequelize);
  if (known && Date.now() - known.at < 10_000) return known.present;
  const present = sequelize.query(`SELECT id FROM ${STATS_STATE_TABLE} WHERE id = 1`, { type: QueryTypes.SELECT }).then(
    () => true,
    (err: unknown) => {
      if (!isNoSuchTable(err)) presence.delete(sequelize);
      return false;
    },
  );
  presence.set(sequelize, { at: Date.now(), present });
  return present;
}

/** Records an rs change for the rollup, in the transaction that made it: the copy's day, recipient, domain and type, and what happened. */
export async function recordRsChange(
  sequelize: Sequelize,
  ref: { partitionTag: number; mailId: string; rseqnum: number },
  to: string,
  transaction?: Transaction,
): Promise<void> {
  if (!ACTION_COUNTER[to] || !(await statsInstalled(sequelize))) return;
  const dialect = sequelize.getDialect() === 'postgres' ? 'postgres' : sequelize.getDialect() === 'sqlite' ? 'sqlite' : 'mariadb';
  const insert = (t?: Transaction) =>
    sequelize.query(
      `INSERT INTO ${STATS_PENDING_TABLE} (day_num, rid, rdomain, content, action)
  SELECT ${dayOf(dialect, 'm.time_num')}, mr.rid, COALESCE(r.domain, ''), COALESCE(NULLIF(TRIM(mr.content), ''), m.content), :to
  FROM msgrcpt mr
  JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id
  JOIN maddr r ON r.id = mr.rid
  WHERE mr.partition_tag = :p AND mr.mail_id = :m AND mr.rseqnum = :r AND m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY}`,
      { replacements: { to, p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum }, ...(t ? { transaction: t } : {}) },
    );
  // Behind a savepoint: a statistics row that cannot be written (a table dropped by hand) loses a count, never
  // the release or delete it counts. Only a deadlock, which has undone the caller's transaction, is the caller's.
  await (transaction ? sequelize.transaction({ transaction }, (savepoint) => insert(savepoint)) : insert()).catch((err: unknown) => {
    if (isDeadlock(err)) throw err;
  });
}
