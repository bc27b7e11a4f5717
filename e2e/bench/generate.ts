import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_URL_ENV, DEFAULT_BENCH_URLS, KIND_LABEL, benchDatabaseName, benchKindOfUrl, connectBenchDb, type BenchDb, type BenchKind } from './bench-db';
import { loadMariadb, resetMariadb } from './load-mariadb';
import { loadPostgres, resetPostgres } from './load-postgres';
import { defaultParams, synthesize, type BenchParams, type BenchUser, type SynthesizedData } from './synthesize';

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
  /** The bench databases, each by its URL (MariaDB/MySQL or PostgreSQL). */
  urls: string[];
  params: BenchParams;
  regenerate?: boolean;
  log?: (line: string) => void;
}

const LOADERS: Record<BenchKind, { reset(url: string): Promise<void>; load(url: string, data: SynthesizedData, step: (what: string) => void): Promise<void> }> = {
  mariadb: { reset: resetMariadb, load: loadMariadb },
  postgres: { reset: resetPostgres, load: loadPostgres },
};

/** The bookkeeping tables in each server's types (bytea sorts by bytes, as VARBINARY does). */
const BENCH_DDL: Record<BenchKind, { users: string; meta: string }> = {
  mariadb: {
    users: 'email varbinary(255) PRIMARY KEY, domain varchar(255) NOT NULL, msgrcpt_rows int unsigned NOT NULL, quarantined_rows int unsigned NOT NULL',
    meta: 'name varchar(64) PRIMARY KEY, value mediumtext NOT NULL',
  },
  postgres: {
    users: 'email bytea PRIMARY KEY, domain varchar(255) NOT NULL, msgrcpt_rows integer NOT NULL, quarantined_rows integer NOT NULL',
    meta: 'name varchar(64) PRIMARY KEY, value text NOT NULL',
  },
};

/** Reads aq_bench_meta, or null when the database is missing, empty or half-generated. */
export async function readBenchMeta(db: BenchDb): Promise<BenchMeta | null> {
  try {
    const [row] = await db.query<{ value: string | Buffer }>("SELECT value FROM aq_bench_meta WHERE name = 'meta'");
    return row === undefined ? null : (JSON.parse(String(row.value)) as BenchMeta);
  } catch (error) {
    // MariaDB: no such table, no such database; PostgreSQL: undefined_table.
    if (['ER_NO_SUCH_TABLE', 'ER_BAD_DB_ERROR', '42P01'].includes(String((error as { code?: string }).code))) return null;
    throw error;
  }
}

async function metaOf(url: string): Promise<BenchMeta | null> {
  if (benchKindOfUrl(url) === 'mariadb') {
    const server = await connectBenchDb(url, false);
    try {
      await server.query(`CREATE DATABASE IF NOT EXISTS \`${benchDatabaseName(url)}\``);
    } finally {
      await server.end();
    }
  }
  const db = await connectBenchDb(url);
  try {
    return await readBenchMeta(db);
  } finally {
    await db.end();
  }
}

/**
 * Makes sure every bench database holds the data for `params`, generating those that do not (or all,
 * on `regenerate`). They get the same rows: one synthesis, with the end time of a database that is
 * already up to date when there is one (the data's times count back from the day of generation).
 */
export async function ensureBenchDatabases(options: EnsureOptions): Promise<Map<string, { generated: boolean; meta: BenchMeta }>> {
  const log = options.log ?? (() => {});
  const out = new Map<string, { generated: boolean; meta: BenchMeta }>();
  const stale: Array<{ url: string; existing: BenchMeta | null }> = [];
  for (const url of options.urls) {
    benchDatabaseName(url);
    const existing = await metaOf(url);
    if (!options.regenerate && existing && JSON.stringify(existing.params) === JSON.stringify(options.params)) out.set(url, { generated: false, meta: existing });
    else stale.push({ url, existing });
  }
  if (stale.length === 0) return out;
  const now = new Date();
  const endTime = [...out.values()][0]?.meta.endTime ?? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) / 1000;
  const started = performance.now();
  log(`synthesizing ${options.params.msgs} msgs for ${options.params.users} users over ${options.params.days} days (seed ${options.params.seed})`);
  const data = synthesize(options.params, endTime);
  const synthesisSeconds = (performance.now() - started) / 1000;
  log(`  synthesized ${data.maddr.length} maddr, ${data.msgs.length} msgs, ${data.msgrcpt.length} msgrcpt rows (${synthesisSeconds.toFixed(1)} s)`);
  for (const { url, existing } of stale) {
    const kind = benchKindOfUrl(url);
    log(`${existing ? `regenerating (${options.regenerate ? '--regenerate' : 'parameters changed'})` : 'generating'} ${KIND_LABEL[kind]} ${benchDatabaseName(url)}`);
    out.set(url, { generated: true, meta: await generate(url, options.params, endTime, data, synthesisSeconds, log) });
  }
  return out;
}

async function generate(
  url: string,
  params: BenchParams,
  endTime: number,
  data: SynthesizedData,
  synthesisSeconds: number,
  log: (line: string) => void,
): Promise<BenchMeta> {
  const kind = benchKindOfUrl(url);
  const started = performance.now();
  const step = (what: string) => log(`  ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  await LOADERS[kind].reset(url);
  await LOADERS[kind].load(url, data, step);
  const db = await connectBenchDb(url);
  try {
    await saveUsers(db, data.users);
    const meta: BenchMeta = {
      params,
      endTime,
      generatedAt: new Date().toISOString(),
      generationSeconds: Math.round(synthesisSeconds * 10 + (performance.now() - started) / 100) / 10,
      rows: { maddr: data.maddr.length, msgs: data.msgs.length, msgrcpt: data.msgrcpt.length },
    };
    // Written last: a database whose generation broke off has no meta and is generated again.
    await db.query(`CREATE TABLE aq_bench_meta (${BENCH_DDL[kind].meta})`);
    await db.query("INSERT INTO aq_bench_meta (name, value) VALUES ('meta', ?)", [JSON.stringify(meta)]);
    step('done');
    return meta;
  } finally {
    await db.end();
  }
}

/** aq_bench_users: the local users and their row counts, so the harness picks users without a scan. */
async function saveUsers(db: BenchDb, users: BenchUser[]): Promise<void> {
  await db.query(`CREATE TABLE aq_bench_users (${BENCH_DDL[db.kind].users})`);
  for (let i = 0; i < users.length; i += 2000) {
    const batch = users.slice(i, i + 2000);
    await db.query(
      `INSERT INTO aq_bench_users (email, domain, msgrcpt_rows, quarantined_rows) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`,
      batch.flatMap((u) => [Buffer.from(u.email), u.domain, u.rows, u.quarantined]),
    );
  }
  if (db.kind === 'postgres') await db.query('ANALYZE aq_bench_users');
}

/** The bench database URLs of the chosen kinds, from the environment or the defaults. */
export function benchUrls(kinds: readonly BenchKind[]): string[] {
  return kinds.map((kind) => {
    const url = process.env[BENCH_URL_ENV[kind]] ?? DEFAULT_BENCH_URLS[kind];
    if (benchKindOfUrl(url) !== kind) throw new Error(`${BENCH_URL_ENV[kind]} must be a ${KIND_LABEL[kind]} URL, not ${url.split(':')[0]}:`);
    return url;
  });
}

/** The kinds a `--db` value names: mariadb, postgres, or both. */
export function parseDbOption(value: string | undefined): BenchKind[] {
  if (value === undefined || value === 'both') return ['mariadb', 'postgres'];
  if (value === 'mariadb' || value === 'mysql') return ['mariadb'];
  if (value === 'postgres' || value === 'pg' || value === 'postgresql') return ['postgres'];
  throw new Error(`--db must be mariadb, postgres or both, not "${value}"`);
}

// `tsx e2e/bench/generate.ts [--db mariadb|postgres|both] [--msgs N] [--regenerate]` generates without running the benchmark.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { db: { type: 'string' }, msgs: { type: 'string' }, regenerate: { type: 'boolean' } } });
  const urls = benchUrls(parseDbOption(values.db));
  const params = defaultParams(values.msgs ? Number(values.msgs) : undefined);
  const results = await ensureBenchDatabases({ urls, params, regenerate: values.regenerate ?? false, log: console.log });
  for (const [url, result] of results) {
    const label = `${KIND_LABEL[benchKindOfUrl(url)]} ${benchDatabaseName(url)}`;
    console.log(result.generated ? `${label}: generated in ${result.meta.generationSeconds} s` : `${label}: up to date, nothing to do (--regenerate forces it)`);
  }
}
