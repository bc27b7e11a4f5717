import { QueryTypes, type Sequelize } from 'sequelize';
import { amavisDialect } from '../../server/amavis/dialect';
import { dropListIndexDdl, listIndexDdl } from '../../server/amavis/list-index-ddl';
import { createListIndexer, readListIndexState } from '../../server/amavis/list-indexer';
import type { BenchDb } from './bench-db';

/** What the bench reports about the list index of one bench database. */
export interface ListIndexReport {
  /** Seconds the build took in this run; undefined when it was already built. */
  builtSeconds?: number;
  /** The build time recorded by the run that built it (aq_bench_meta), if any. */
  recordedSeconds?: number;
  rows: number;
  tableBytes: number;
  indexBytes: number;
}

// The chunk the server's indexer would take at a time; bigger chunks build faster but hold the
// advisory lock (and, on MariaDB, the copied rows' locks) longer per transaction.
const BUILD_CHUNK = 50_000;

/**
 * Installs the list index the way `npm run migrate` does (each statement of listIndexDdl in order), then
 * builds it with the server's own indexer, one chunk per runOnce(), until readListIndexState says ready.
 * `rebuild` drops it first. The build time is recorded in aq_bench_meta, so a later run can print it.
 */
export async function ensureListIndex(sequelize: Sequelize, db: BenchDb, rebuild: boolean, log: (line: string) => void): Promise<ListIndexReport> {
  const dialect = await amavisDialect(sequelize);
  if (rebuild) for (const sql of dropListIndexDdl()) await sequelize.query(sql);
  const before = await readListIndexState(sequelize);
  let builtSeconds: number | undefined;
  const started = performance.now();
  // Every time, as migrate after an upgrade: what exists is kept (IF NOT EXISTS), what a newer version
  // adds is made. One connection for all: the DDL's SET SESSION (MariaDB's stopwords) must precede its CREATE TABLE.
  await sequelize.transaction(async (transaction) => {
    for (const sql of listIndexDdl(dialect)) await sequelize.query(sql, { transaction });
  });
  if (!before?.ready) {
    const indexer = createListIndexer(sequelize, { chunkSize: BUILD_CHUNK });
    for (let turn = 1; ; turn++) {
      if (!(await indexer.runOnce())) log('  list index: another indexer holds the lock; waiting');
      const state = await readListIndexState(sequelize);
      if (state?.ready) break;
      if (turn % 5 === 0)
        log(`  list index: built up to ${new Date((state?.builtTo ?? 0) * 1000).toISOString()} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
    builtSeconds = (performance.now() - started) / 1000;
    await db.query("DELETE FROM aq_bench_meta WHERE name = 'list_index'");
    await db.query("INSERT INTO aq_bench_meta (name, value) VALUES ('list_index', ?)", [JSON.stringify({ seconds: builtSeconds, at: new Date().toISOString() })]);
    // Fresh statistics, as autovacuum (off here) or InnoDB's own sampling would give a server that has
    // run a while; on PostgreSQL VACUUM also sets the visibility map for index-only scans.
    await db.query(db.kind === 'postgres' ? 'VACUUM (ANALYZE) aq_list' : 'ANALYZE TABLE aq_list');
  }
  const [recorded] = await db.query<{ value: string | Buffer }>("SELECT value FROM aq_bench_meta WHERE name = 'list_index'");
  const recordedSeconds = recorded ? (JSON.parse(String(recorded.value)) as { seconds: number }).seconds : undefined;
  return { ...(builtSeconds === undefined ? {} : { builtSeconds }), ...(recordedSeconds === undefined ? {} : { recordedSeconds }), ...(await sizes(sequelize, db)) };
}

async function sizes(sequelize: Sequelize, db: BenchDb): Promise<{ rows: number; tableBytes: number; indexBytes: number }> {
  const [count] = await sequelize.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM aq_list', { type: QueryTypes.SELECT });
  const rows = Number(count?.n ?? 0);
  if (db.kind === 'postgres') {
    const [row] = await db.query<{ t: string; i: string }>("SELECT pg_table_size('aq_list') AS t, pg_indexes_size('aq_list') AS i");
    return { rows, tableBytes: Number(row?.t), indexBytes: Number(row?.i) };
  }
  const [row] = await db.query<{ t: string; i: string }>(
    "SELECT data_length AS t, index_length AS i FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'aq_list'",
  );
  return { rows, tableBytes: Number(row?.t), indexBytes: Number(row?.i) };
}

/** One line for the report: rows, sizes, and how long the build took. */
export function describeListIndex(r: ListIndexReport): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1048576).toLocaleString('en-US')} MB`;
  const built =
    r.builtSeconds !== undefined
      ? `built in this run in ${r.builtSeconds.toFixed(1)} s`
      : `already built${r.recordedSeconds !== undefined ? ` (the build took ${r.recordedSeconds.toFixed(1)} s)` : ''}`;
  return `list index aq_list: ${r.rows.toLocaleString('en-US')} rows, table ${mb(r.tableBytes)} + indexes ${mb(r.indexBytes)} = ${mb(r.tableBytes + r.indexBytes)}; ${built} (chunks of ${BUILD_CHUNK.toLocaleString('en-US')} msgs)`;
}
