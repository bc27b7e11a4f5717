import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { benchDatabaseName, connectBenchDb, type BenchDb } from './bench-db';
import { indexesByTable, readSchemaFile } from './schema-file';
import { MADDR_COLUMNS, MSGRCPT_COLUMNS, MSGS_COLUMNS, type SynthesizedData } from './synthesize';

const SCHEMA_FILE = path.resolve(import.meta.dirname, '../stack/amavis-schema-pg.sql');

/** The bench's own bookkeeping tables, dropped with amavis's. */
const BENCH_TABLES = ['aq_bench_meta', 'aq_bench_users'];

/**
 * Empties the PostgreSQL bench database: drops amavis's tables and the bench's own. The database itself
 * stays (the bench role owns it but may not create databases).
 */
export async function resetPostgres(url: string): Promise<void> {
  benchDatabaseName(url);
  const db = await connectBenchDb(url);
  try {
    const tables = [...readSchemaFile(SCHEMA_FILE).tables, ...BENCH_TABLES];
    await db.query(`DROP TABLE IF EXISTS ${tables.join(', ')} CASCADE`);
  } finally {
    await db.end();
  }
}

/**
 * Creates amavisd's PostgreSQL schema (e2e/stack/amavis-schema-pg.sql: bytea addresses and ids, serial
 * ids, a timestamp time_iso) in the emptied bench database, loads the generator's rows with COPY FROM
 * STDIN, builds the schema's own indexes, and vacuums and analyzes the tables.
 */
export async function loadPostgres(url: string, data: SynthesizedData, step: (what: string) => void): Promise<void> {
  const { createTables, createIndexes } = readSchemaFile(SCHEMA_FILE);
  const conns = await Promise.all([connectBenchDb(url), connectBenchDb(url), connectBenchDb(url)]);
  const [main, second, third] = conns;
  try {
    for (const sql of createTables) await main.query(sql);
    // Rows go in in arrival order: a PostgreSQL table is a heap in insertion order, so amavisd's tables
    // are in time order, and the planner's correlation figures (time index against heap) depend on it.
    // The primary keys and unique constraints come with CREATE TABLE and fill during the load; the
    // secondary indexes are built after it, with the schema's own CREATE INDEX statements.
    await Promise.all([
      copyRows(main, 'msgs', MSGS_COLUMNS, data.msgs),
      copyRows(second, 'msgrcpt', MSGRCPT_COLUMNS, data.msgrcpt),
      copyRows(third, 'maddr', MADDR_COLUMNS, data.maddr),
    ]);
    // The ids were given explicitly: move the serial on, as amavisd's own inserts would have.
    await main.query("SELECT setval('maddr_id_seq', (SELECT MAX(id) FROM maddr))");
    step('loaded');
    await Promise.all(
      indexesByTable(createIndexes).map(async (statements, k) => {
        const conn = conns[k % conns.length] as BenchDb;
        for (const sql of statements) await conn.query(sql);
      }),
    );
    step('indexed');
    // VACUUM as well as ANALYZE: it sets the visibility map, without which PostgreSQL cannot use
    // index-only scans (a live database gets it from autovacuum, which this server may have off).
    await Promise.all([main.query('VACUUM (ANALYZE) msgs'), second.query('VACUUM (ANALYZE) msgrcpt'), third.query('VACUUM (ANALYZE) maddr')]);
    step('vacuumed and analyzed');
    // The quarantine table (mail bodies) stays empty: listing never reads it.
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/**
 * COPY … FROM STDIN in text format takes the generator's LOAD DATA lines as they are: tab-separated,
 * \N for NULL, backslash escapes. bytea columns take the text's bytes, and time_iso's 20250101T123456Z
 * is an ISO 8601 timestamp.
 */
async function copyRows(db: BenchDb, table: string, columns: readonly string[], lines: string[]): Promise<void> {
  const client = db.raw as pg.Client;
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < lines.length; i += 20_000) yield Buffer.from(`${lines.slice(i, i + 20_000).join('\n')}\n`);
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
  const [row] = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`);
  if (Number(row?.n) !== lines.length) throw new Error(`${table}: loaded ${String(row?.n)} rows of ${lines.length}`);
}
