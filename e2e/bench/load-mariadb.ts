import path from 'node:path';
import { Readable } from 'node:stream';
import type mysql from 'mysql2/promise';
import { benchDatabaseName, connectBenchDb, type BenchDb } from './bench-db';
import { indexesByTable, readSchemaFile } from './schema-file';
import { MADDR_COLUMNS, MSGRCPT_COLUMNS, MSGS_COLUMNS, type SynthesizedData } from './synthesize';

const SCHEMA_FILE = path.resolve(import.meta.dirname, '../stack/amavis-schema.sql');

/** Drops and recreates the MariaDB bench database (its name was checked by benchDatabaseName). */
export async function resetMariadb(url: string): Promise<void> {
  const name = benchDatabaseName(url);
  const server = await connectBenchDb(url, false);
  try {
    await server.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await server.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await server.end();
  }
}

/**
 * Creates amavisd's MariaDB schema (e2e/stack/amavis-schema.sql) in the empty bench database, loads the
 * rows with LOAD DATA, builds the schema's own indexes and refreshes the statistics.
 */
export async function loadMariadb(url: string, data: SynthesizedData, step: (what: string) => void): Promise<void> {
  const { createTables, createIndexes } = readSchemaFile(SCHEMA_FILE);
  const conns = await Promise.all([connectBenchDb(url), connectBenchDb(url), connectBenchDb(url)]);
  const [main, second, third] = conns;
  try {
    for (const sql of createTables) await main.query(sql);
    // The schema's secondary indexes are created after the load (a sorted build instead of a million
    // random inserts), with the schema's own CREATE INDEX statements, so the result is the stock schema.
    // Primary-key order (partition_tag, mail_id[, rseqnum]) turns the load into appends: in arrival
    // order, InnoDB rereads pages of a table larger than its buffer pool for every row. Each line starts
    // with its key, with a fixed-width mail_id and one-digit rseqnum, so a plain sort is the key order.
    // InnoDB clusters rows by primary key, so the loaded tables are the same either way.
    await Promise.all([
      loadRows(main, 'msgs', MSGS_COLUMNS, [...data.msgs].sort()),
      loadRows(second, 'msgrcpt', MSGRCPT_COLUMNS, [...data.msgrcpt].sort()),
      loadRows(third, 'maddr', MADDR_COLUMNS, data.maddr),
    ]);
    step('loaded');
    await Promise.all(
      indexesByTable(createIndexes).map(async (statements, k) => {
        const conn = conns[k % conns.length] as BenchDb;
        for (const sql of statements) await conn.query(sql);
      }),
    );
    step('indexed');
    await main.query('ANALYZE TABLE maddr, msgs, msgrcpt');
    // The quarantine table (mail bodies) stays empty: listing never reads it.
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/** Streams rows into a table with LOAD DATA LOCAL INFILE (mysql2's infileStreamFactory; no temp files). */
async function loadRows(db: BenchDb, table: string, columns: readonly string[], lines: string[]): Promise<void> {
  const conn = db.raw as mysql.Connection;
  await conn.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
  // mysql2 copies each chunk into a packet with Buffer#copy: the stream must yield Buffers.
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < lines.length; i += 20_000) yield Buffer.from(`${lines.slice(i, i + 20_000).join('\n')}\n`);
  }
  await conn.query({
    sql: `LOAD DATA LOCAL INFILE '${table}.tsv' INTO TABLE ${table} CHARACTER SET utf8mb4
          FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.join(', ')})`,
    infileStreamFactory: () => Readable.from(chunks()),
  });
  const [row] = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`);
  if (Number(row?.n) !== lines.length) throw new Error(`${table}: loaded ${String(row?.n)} rows of ${lines.length}`);
}
