import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { amavisDialect, type Dialect } from './dialect';
import { isDeadlock, isNoSuchTable } from './db-errors';
import { rollUpStats, statsInstalled } from './stats-rollup';
import { LIST_CHECK_TABLE } from './list-index-ddl';
import {
  checkKeySliceSql,
  checkSliceSql,
  type CheckRow,
  chunkEndSql,
  clearCheckAtSql,
  copyRangeSql,
  deleteIdsSql,
  insertStateSql,
  lockSql,
  pruneOldSql,
  readCheckAtSql,
  readStateSql,
  setRsSql,
  writeCheckAtSql,
  writeStateSql,
} from './list-index-sql';

/**
 * Keeps the list table (list-index-ddl.ts) in step with amavis's tables. Every instance runs one; a
 * database advisory lock (GET_LOCK, pg_try_advisory_xact_lock) lets one of them work at a time, and the
 * others skip their turn. State (how far the first build came, where the check continues) is a row in
 * aq_list_state and aq_list_check_at, so any instance takes over where another stopped.
 *
 * What it guarantees (README, "The list index"):
 * - a message amavisd stores is listed within one interval (default 1 s) plus one sweep, if amavisd
 *   finishes it within `settleSeconds` (default 15 min) of its time_num, else within the hourly deep
 *   sweep (24 h back);
 * - a copy deleted or released by us is updated in the same statement sequence (rs.ts); by another tool,
 *   within a full check of the table (checkBatch rows a sweep);
 * - rows of messages that amavis's cleanup removed go at the next sweep (older than every msgs row) or
 *   within a full check;
 * - a listing never offers a copy that is gone: every page is read back from msgrcpt and msgs;
 * - each turn also keeps the statistics rollup (stats-rollup.ts): what it listed counts as quarantined,
 *   in the same transaction.
 */
export interface ListIndexer {
  /** One turn: build, or sweep, prune and check. Returns false when another instance holds the lock. */
  runOnce(now?: number): Promise<boolean>;
  /** Runs a turn every interval until stop(). */
  start(): void;
  stop(): Promise<void>;
}

export interface ListIndexState {
  builtTo: number;
  ready: boolean;
  sweptAt: number;
  checkAfter: number;
}

export interface ListIndexerOptions {
  intervalMs?: number;
  settleSeconds?: number;
  /**
   * Messages per build chunk (one transaction each). Without it the size adapts, so that a chunk takes
   * about 2 s: well inside the statement timeout, and the lock is never held for long.
   */
  chunkSize?: number;
  /** List rows checked against msgrcpt per turn. */
  checkBatch?: number;
  onError?: (err: unknown) => void;
}

type State = ListIndexState;

/** Reads the state row; undefined when the list index is not installed (npm run migrate). */
export async function readListIndexState(sequelize: Sequelize, transaction?: Transaction): Promise<ListIndexState | undefined> {
  try {
    const [row] = await sequelize.query<{ built_to: number; ready: number; swept_at: number; check_after: number }>(readStateSql, {
      type: QueryTypes.SELECT,
      ...(transaction ? { transaction } : {}),
    });
    if (!row) return { builtTo: 0, ready: false, sweptAt: 0, checkAfter: 0 };
    return { builtTo: Number(row.built_to), ready: Number(row.ready) === 1, sweptAt: Number(row.swept_at), checkAfter: Number(row.check_after) };
  } catch (err) {
    if (isMissingTable(err)) return undefined;
    throw err;
  }
}

/**
 * Whether `npm run migrate` made the rotating check's table. Asked by reading it, not the catalog: on
 * PostgreSQL the amavis tables may live in another schema of the search_path than `public`.
 */
export function checkTablePresent(sequelize: Sequelize): Promise<boolean> {
  return sequelize.query(`SELECT 1 FROM ${LIST_CHECK_TABLE} WHERE 1 = 0`, { type: QueryTypes.SELECT }).then(
    () => true,
    () => false,
  );
}

/** The list index is not installed in this database. */
export class ListIndexMissing extends Error {
  constructor() {
    super('the list index is not installed: run `npm run migrate`');
  }
}

/** ER_NO_SUCH_TABLE, undefined_table (42P01), or SQLite's "no such table". */
export function isMissingTable(err: unknown): boolean {
  return err instanceof ListIndexMissing || isNoSuchTable(err);
}

/** Creates the indexer for the amavis database behind `sequelize`. */
export function createListIndexer(sequelize: Sequelize, options: ListIndexerOptions = {}): ListIndexer {
  const intervalMs = options.intervalMs ?? 1_000;
  const settle = options.settleSeconds ?? 900;
  let chunkSize = options.chunkSize ?? 5_000;
  const checkBatch = options.checkBatch ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let lastDeep = 0;

  const select = <T extends object>(t: Transaction, sql: string, replacements: Record<string, unknown> = {}) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction: t, replacements });
  const exec = (t: Transaction, sql: string, replacements: Record<string, unknown> = {}) => sequelize.query(sql, { transaction: t, replacements });

  /** Runs `work` under the advisory lock in one transaction; false when another instance has it. */
  async function locked(dialect: Dialect, work: (t: Transaction) => Promise<void>): Promise<boolean> {
    const lock = lockSql(dialect);
    // READ COMMITTED: InnoDB's INSERT … SELECT would otherwise set shared next-key locks on the msgs and
    // msgrcpt rows it reads, and amavisd's inserts would wait for the copy.
    const isolation = dialect === 'sqlite' ? {} : { isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED };
    return sequelize.transaction(isolation, async (t) => {
      if (lock) {
        const [row] = await select<{ got: number | boolean | null }>(t, lock.take);
        if (!(row?.got === true || Number(row?.got) === 1)) return false;
      }
      try {
        await work(t);
      } finally {
        if (lock?.release) await select(t, lock.release);
      }
      return true;
    });
  }

  async function state(t: Transaction): Promise<State> {
    const current = await readListIndexState(sequelize, t);
    if (!current) throw new ListIndexMissing();
    const [row] = await select<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM aq_list_state');
    if (Number(row?.n ?? 0) === 0) await exec(t, insertStateSql);
    return current;
  }

  const save = (t: Transaction, s: State) => exec(t, writeStateSql, { builtTo: s.builtTo, ready: s.ready ? 1 : 0, sweptAt: s.sweptAt, checkAfter: s.checkAfter });

  /** The first build, one chunk of messages per turn, oldest first; ready once it reaches the newest. */
  async function buildChunk(t: Transaction, dialect: Dialect, s: State, now: number): Promise<State> {
    const started = Date.now();
    const [end] = await select<{ time_num: number }>(t, chunkEndSql(chunkSize), { after: s.builtTo });
    const to = end ? Number(end.time_num) : Math.max(now + 1, s.builtTo + 1);
    const copy = copyRangeSql(dialect, s.builtTo === 0 ? 0 : s.builtTo - settle, to);
    await exec(t, copy.sql, copy.replacements);
    if (options.chunkSize === undefined) {
      const took = Date.now() - started;
      chunkSize = Math.round(Math.min(50_000, Math.max(500, took > 3_000 ? chunkSize / 2 : took < 1_000 ? chunkSize * 2 : chunkSize)));
    }
    return { ...s, builtTo: to, ready: !end, sweptAt: now };
  }

  // The oldest message still being processed (content NULL) at this instance's last sweep: copies that
  // finish later are at or after it. Kept per instance; the first sweep, or an older bound, reads back
  // `settle` seconds. Never further than that (a message amavisd abandoned stays NULL for ever), but for
  // the hourly deep sweep.
  let pendingFrom: number | undefined;

  /** Copies what arrived (or finished) since the last sweep, prunes, and checks a slice (in key order once migrate made its table). */
  async function sweep(t: Transaction, dialect: Dialect, s: State, now: number, byKey: boolean): Promise<State> {
    // One amavisd host's clock running ahead must not carry the windows past everyone else's mail: they
    // are based on our clock at most 5 minutes ahead (a message stamped later is still copied).
    const ahead = now + 300;
    const base = Math.min(s.builtTo, ahead);
    const [top] = await select<{ t: number | null }>(t, 'SELECT MAX(time_num) AS t FROM msgs');
    const newest = Math.min(ahead, Math.max(base, top?.t !== null && top?.t !== undefined ? Number(top.t) + 1 : 0));
    const deep = now - lastDeep >= 3600;
    // Marked before it runs: a deep sweep that fails (its statement timeout, on a very busy server) must not
    // make every following turn a deep one, and stop the indexing of new mail.
    if (deep) lastDeep = now;
    // 60 s: amavisd inserts a message's msgs row when it starts on it, stamped with its arrival.
    const recent = Math.max(base - settle, Math.min(pendingFrom ?? base - settle, base - 60));
    const from = Math.max(0, deep ? base - 86_400 : recent);
    // What is still in progress, read before the copy: a message that amavisd finishes between the two
    // statements is then either copied now or still counted as pending, never neither.
    const [open] = await select<{ t: number | null }>(t, 'SELECT MIN(time_num) AS t FROM msgs WHERE time_num >= :from AND content IS NULL', { from: recent });
    const copy = copyRangeSql(dialect, from, dialect === 'postgres' ? 2_147_483_647 : 4_294_967_295);
    await exec(t, copy.sql, copy.replacements);
    pendingFrom = open?.t !== null && open?.t !== undefined ? Number(open.t) : newest;
    await exec(t, pruneOldSql(dialect, 5_000));
    const checkAfter = byKey ? (await checkByKey(t, dialect), 0) : await check(t, s.checkAfter);
    return { ...s, builtTo: newest, sweptAt: now, checkAfter };
  }

  /** Brings a checked slice in step: gone or deleted copies go, rs and time_num follow msgrcpt and msgs. */
  async function apply(t: Transaction, rows: CheckRow[]): Promise<void> {
    const gone: string[] = [];
    for (const row of rows) {
      const rs = (row.rs ?? '').trim();
      if (row.rs === null || row.quar_type === null || rs === 'D' || (row.content ?? '').trim() === 'C') gone.push(String(row.id));
      else if (rs !== (row.listed_rs ?? '').trim() || Number(row.time_num) !== Number(row.listed_time)) await exec(t, setRsSql, { rs, t: row.time_num, id: row.id });
    }
    if (gone.length > 0) await exec(t, deleteIdsSql, { ids: gone });
  }

  /** The check before migrate made its table: the next slice by id (insertion order, a random page a row). */
  async function check(t: Transaction, after: number): Promise<number> {
    const rows = await select<CheckRow>(t, checkSliceSql(checkBatch), { after });
    await apply(t, rows);
    return rows.length < checkBatch ? 0 : Number(rows.at(-1)?.id ?? 0);
  }

  /** The check in key order, from where aq_list_check_at says; a short slice ends the pass, and the next starts over. */
  async function checkByKey(t: Transaction, dialect: Dialect): Promise<void> {
    const [at] = await select<{ partition_tag: number; mail_id: Buffer | string; rseqnum: number }>(t, readCheckAtSql);
    const key = (p: number, m: Buffer | string, r: number) => ({ p: Number(p), m: Buffer.isBuffer(m) ? m : Buffer.from(String(m)), r: Number(r) });
    const rows = await select<CheckRow & { k_p: number; k_m: Buffer | string; k_r: number }>(
      t,
      checkKeySliceSql(dialect, checkBatch, Boolean(at)),
      at ? key(at.partition_tag, at.mail_id, at.rseqnum) : {},
    );
    await apply(t, rows);
    await exec(t, clearCheckAtSql);
    // A key, not a row: the pass goes on after it even when that row was dropped just now.
    const last = rows.length < checkBatch ? undefined : rows.at(-1);
    if (last) await exec(t, writeCheckAtSql, key(last.k_p, last.k_m, last.k_r));
  }

  // Whether migrate made the check's table; asked again every minute, so a running server takes it up.
  let keyed: { until: number; present: boolean } | undefined;
  async function byKey(): Promise<boolean> {
    if (!keyed || Date.now() > keyed.until) {
      const present = await checkTablePresent(sequelize);
      keyed = { until: Date.now() + 60_000, present };
    }
    return keyed.present;
  }

  async function runOnce(now = Math.floor(Date.now() / 1000)): Promise<boolean> {
    const dialect = await amavisDialect(sequelize);
    const stats = await statsInstalled(sequelize);
    const keyOrder = await byKey();
    let built = false;
    const worked = await locked(dialect, async (t) => {
      const s = await state(t);
      const next = s.ready ? await sweep(t, dialect, s, now, keyOrder) : await buildChunk(t, dialect, s, now);
      // The statistics count what this turn listed, in its transaction (stats-rollup.ts), behind a savepoint:
      // a failing rollup must not stop the listing of new mail. What it did not count, the next turn does
      // (its watermark and pending rows stay). A deadlock has undone the whole transaction, so it ends the turn.
      if (stats) {
        await sequelize
          .transaction({ transaction: t }, (savepoint) => rollUpStats(sequelize, savepoint, dialect, next.ready ? now : Math.max(0, next.builtTo - settle)))
          .catch((err: unknown) => {
            if (isDeadlock(err)) throw err;
            options.onError?.(err);
          });
      }
      built = next.ready && !s.ready;
      await save(t, next);
    });
    // Fresh statistics once built: the planner's choice between the text index and the ordered walk
    // depends on them (PostgreSQL's autovacuum may be off, or not have come round yet).
    if (built && dialect !== 'sqlite') await sequelize.query(dialect === 'postgres' ? 'ANALYZE aq_list' : 'ANALYZE TABLE aq_list');
    return worked;
  }

  const tick = () => {
    if (stopped) return;
    running = runOnce()
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };

  return {
    runOnce,
    start() {
      stopped = false;
      timer = setTimeout(tick, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
