import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { MADDR_COLUMNS, MSGRCPT_COLUMNS, MSGS_COLUMNS, defaultParams, synthesize, type BenchParams, type BenchUser } from './synthesize';

/** The benchmark's own database: never the `amavis` database the test stack uses. */
export const DEFAULT_BENCH_DB_URL = 'mysql://amavis:amavis-test-pw@127.0.0.1:3306/amavis_bench';
const SCHEMA_FILE = path.resolve(import.meta.dirname, '../stack/amavis-schema.sql');

/** What aq_bench_meta records about the generated database. */
export interface BenchMeta {
  params: BenchParams;
  /** The newest time_num possible: the day the data was generated, UTC midnight. */
  endTime: number;
  generatedAt: string;
  generationSeconds: number;
  rows: { maddr: number; msgs: number; msgrcpt: number };
}

export interface EnsureOptions {
  url: string;
  params: BenchParams;
  regenerate?: boolean;
  log?: (line: string) => void;
}

/** Opens a mysql2 connection to the bench server (no database selected when `database` is false). */
export async function connectBench(url: string, database = true): Promise<mysql.Connection> {
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    ...(database ? { database: benchDatabaseName(url) } : {}),
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4',
  });
}

/** The database named by the URL, refusing any that does not look like a throwaway bench database. */
export function benchDatabaseName(url: string): string {
  const name = decodeURIComponent(new URL(url.replace(/^mariadb:/, 'mysql:')).pathname.slice(1));
  // The generator drops and recreates this database: never let it near a real amavis database.
  if (!/^[A-Za-z0-9_]+$/.test(name) || !/bench/i.test(name)) {
    throw new Error(`refusing to generate into database "${name}": the bench database name must contain "bench" (default amavis_bench)`);
  }
  return name;
}

/** Reads aq_bench_meta, or null when the database is missing, empty or half-generated. */
export async function readBenchMeta(conn: mysql.Connection): Promise<BenchMeta | null> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT value FROM aq_bench_meta WHERE name = 'meta'");
    const value = rows[0]?.value as string | Buffer | undefined;
    return value === undefined ? null : (JSON.parse(String(value)) as BenchMeta);
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_NO_SUCH_TABLE' || (error as { code?: string }).code === 'ER_BAD_DB_ERROR') return null;
    throw error;
  }
}

/** Makes sure the bench database holds data for `params`, generating it when it does not (or on `regenerate`). */
export async function ensureBenchDatabase(options: EnsureOptions): Promise<{ generated: boolean; meta: BenchMeta }> {
  const log = options.log ?? (() => {});
  const name = benchDatabaseName(options.url);
  const server = await connectBench(options.url, false);
  try {
    await server.query(`CREATE DATABASE IF NOT EXISTS \`${name}\``);
    await server.query(`USE \`${name}\``);
    const existing = await readBenchMeta(server);
    if (!options.regenerate && existing && JSON.stringify(existing.params) === JSON.stringify(options.params)) {
      return { generated: false, meta: existing };
    }
    log(existing ? `regenerating ${name} (${options.regenerate ? '--regenerate' : 'parameters changed'})` : `generating ${name}`);
    await server.query(`DROP DATABASE \`${name}\``);
    await server.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await server.end();
  }
  return { generated: true, meta: await generate(options.url, options.params, log) };
}

async function generate(url: string, params: BenchParams, log: (line: string) => void): Promise<BenchMeta> {
  const started = performance.now();
  const step = (what: string) => log(`  ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const { createTables, createIndexes } = readSchema();
  const conns = await Promise.all([connectBench(url), connectBench(url), connectBench(url)]);
  const [main, second, third] = conns;
  try {
    for (const sql of createTables) await main.query(sql);
    const now = new Date();
    const endTime = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) / 1000;
    log(`  synthesizing ${params.msgs} msgs for ${params.users} users over ${params.days} days (seed ${params.seed})`);
    const data = synthesize(params, endTime);
    step(`synthesized ${data.maddr.length} maddr, ${data.msgs.length} msgs, ${data.msgrcpt.length} msgrcpt rows`);
    // The schema's secondary indexes are created after the load (a sorted build instead of a million
    // random inserts), with the schema's own CREATE INDEX statements, so the result is the stock schema.
    await Promise.all([
      loadRows(main, 'msgs', MSGS_COLUMNS, data.msgs),
      loadRows(second, 'msgrcpt', MSGRCPT_COLUMNS, data.msgrcpt),
      loadRows(third, 'maddr', MADDR_COLUMNS, data.maddr),
    ]);
    step('loaded');
    const byTable = new Map<string, string[]>();
    for (const sql of createIndexes) {
      const table = /\bON\s+(\w+)/i.exec(sql)?.[1] ?? '';
      byTable.set(table, [...(byTable.get(table) ?? []), sql]);
    }
    await Promise.all(
      [...byTable.values()].map(async (statements, k) => {
        const conn = conns[k % conns.length] as mysql.Connection;
        for (const sql of statements) await conn.query(sql);
      }),
    );
    step('indexed');
    await main.query('ANALYZE TABLE maddr, msgs, msgrcpt');
    // The quarantine table (mail bodies) stays empty: listing never reads it.
    await saveUsers(main, data.users);
    const meta: BenchMeta = {
      params,
      endTime,
      generatedAt: new Date().toISOString(),
      generationSeconds: Math.round((performance.now() - started) / 100) / 10,
      rows: { maddr: data.maddr.length, msgs: data.msgs.length, msgrcpt: data.msgrcpt.length },
    };
    await main.query('CREATE TABLE aq_bench_meta (name varchar(64) PRIMARY KEY, value mediumtext NOT NULL)');
    await main.query("INSERT INTO aq_bench_meta (name, value) VALUES ('meta', ?)", [JSON.stringify(meta)]);
    step('done');
    return meta;
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/** The schema file's statements, with the CREATE INDEX ones apart so they can run after the load. */
function readSchema(): { createTables: string[]; createIndexes: string[] } {
  const statements = readFileSync(SCHEMA_FILE, 'utf8')
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    createTables: statements.filter((s) => !/^CREATE\s+(UNIQUE\s+)?INDEX/i.test(s)),
    createIndexes: statements.filter((s) => /^CREATE\s+(UNIQUE\s+)?INDEX/i.test(s)),
  };
}

/** Streams rows into a table with LOAD DATA LOCAL INFILE (mysql2's infileStreamFactory; no temp files). */
async function loadRows(conn: mysql.Connection, table: string, columns: readonly string[], lines: string[]): Promise<void> {
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
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  if (Number(rows[0]?.n) !== lines.length) throw new Error(`${table}: loaded ${String(rows[0]?.n)} rows of ${lines.length}`);
}

/** aq_bench_users: the local users and their row counts, so the harness picks users without a scan. */
async function saveUsers(conn: mysql.Connection, users: BenchUser[]): Promise<void> {
  await conn.query(`CREATE TABLE aq_bench_users (
    email varbinary(255) PRIMARY KEY, domain varchar(255) NOT NULL,
    msgrcpt_rows int unsigned NOT NULL, quarantined_rows int unsigned NOT NULL)`);
  for (let i = 0; i < users.length; i += 2000) {
    const batch = users.slice(i, i + 2000).map((u) => [u.email, u.domain, u.rows, u.quarantined]);
    await conn.query('INSERT INTO aq_bench_users (email, domain, msgrcpt_rows, quarantined_rows) VALUES ?', [batch]);
  }
}

// `tsx e2e/bench/generate.ts [--msgs N] [--regenerate]` generates without running the benchmark.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { msgs: { type: 'string' }, regenerate: { type: 'boolean' } } });
  const url = process.env.AQ_BENCH_DB_URL ?? DEFAULT_BENCH_DB_URL;
  const params = defaultParams(values.msgs ? Number(values.msgs) : undefined);
  const result = await ensureBenchDatabase({ url, params, regenerate: values.regenerate ?? false, log: console.log });
  console.log(result.generated ? `generated in ${result.meta.generationSeconds} s` : 'up to date: nothing to do (--regenerate forces it)');
}
