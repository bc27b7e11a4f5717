/**
 * `npm run bench:http [-- --db mariadb|postgres|both] [--seconds S] [--connections 10,50]`: the list
 * endpoint over HTTP on loopback. It starts the real server (in this process, or in `--instances N` worker
 * processes: http-server.ts) against the generated bench database (the one `npm run bench:list` uses, with
 * its list index built), and for the typical (median) user, a super user and the biggest domain's admin, at
 * each number of connections, requests `GET /api/messages?limit=50` for a fixed time. It prints req/s,
 * p50/p99, the answers other than 200 by status, the CPU per request of the server, the load generator and
 * the local database, and the machine's load; it always exits 0, since no test asserts on wall-clock time.
 *
 * The load generator runs in a child process (http-client.ts); on a 2-core machine it still shares the
 * CPUs with the server and the database: the figures compare builds on one machine, not capacity.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import cluster from 'node:cluster';
import type { AppContext } from '../../server/context';
import { createSequelize } from '../../server/db/connect';
import { KIND_LABEL, benchDatabaseName, benchKindOfUrl, connectBenchDb } from './bench-db';
import { benchSessionCookies } from './bench-sessions';
import { describeListIndex, ensureListIndex } from './index-build';
import { processCpuMicros } from './process-cpu';
import { benchUrls, ensureBenchDatabases, parseDbOption } from './generate';
import { isBenchWorker, runBenchWorker, startBenchServer, type BenchServer } from './http-server';
import { formatTable, ms, summarize } from './report';
import { describeServer } from './server-info';
import { pickSubjects, usersAroundMedian, type BenchSubject } from './subjects';
import { defaultParams } from './synthesize';

const HELP = `usage: npm run bench:http -- [options]
  --db D              mariadb (default), postgres or both
  --seconds S         how long each subject is loaded at each number of connections (default 10, at most 120)
  --connections L     the numbers of connections, comma-separated (default 10,50; at most 200)
  --msgs N            msgs rows of the bench data (default 1000000, as bench:list; generated if missing)
  --path P            the path requested (default /api/messages?limit=50); /api/session or /api/health/live
                      time the stack without the listing
  --only RE           only the subjects whose label matches the regular expression (typical, super, admin)
  --client C          raw (default: a prepared request on a plain socket) or node (node:http's client, as before)
  --instances N       N server processes sharing the port (node:cluster), as N instances share a database (default 1)
  --warmup S          seconds of full load before each row's timing starts, not counted (default 1)`;

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'mariadb' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10,50' },
    msgs: { type: 'string' },
    path: { type: 'string', default: '/api/messages?limit=50' },
    only: { type: 'string' },
    client: { type: 'string', default: 'raw' },
    instances: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const seconds = Math.min(120, Math.max(1, Number(args.seconds) || 10));
const connectionCounts = (args.connections ?? '').split(',').map((n) => Math.min(200, Math.max(1, Math.floor(Number(n)) || 1)));
const PATH = args.path?.startsWith('/') ? args.path : '/api/messages?limit=50';
const ONLY = args.only ? new RegExp(args.only, 'i') : undefined;
const CLIENT = args.client === 'node' ? 'node' : 'raw';
const INSTANCES = Math.min(8, Math.max(1, Math.floor(Number(args.instances)) || 1));
const WARMUP = Math.min(30, Math.max(0, Number(args.warmup) || 0));
const run = promisify(execFile);
const SUPER_USER = 'bench-super@bench.invalid';
const log = (line: string) => process.stderr.write(`${line}\n`);
// The local database server's processes, whose CPU time is counted per request (PostgreSQL: its backends).
const DB_PROCESSES = { mariadb: ['mariadbd', 'mysqld'], postgres: ['postgres'] } as const;

interface Run {
  subject: string;
  connections: number;
  /** Items in the first answer's page: an empty page would time nothing worth timing. */
  pageRows: number;
  latencies: number[];
  statuses: Map<number | string, number>;
  elapsed: number;
  load: number;
  /** The server's CPU time (its processes: user + system) per answered request, in microseconds: steadier than req/s on a shared machine. */
  cpuMicros: number;
  /** The load generator's CPU time per request (µs): what it takes from the two cores the server shares. */
  clientCpuMicros: number;
  /** The local database server's CPU time per request (µs), when /proc shows it; NaN otherwise. */
  dbCpuMicros: number;
}

/**
 * `cookies.length` connections, each its own signed-in session on its own socket (a session may run only
 * AQ_LIST_MAX_PER_SESSION listings at once, so one shared session would measure that gate), driven by a
 * child process (http-client.ts): the server keeps this process's event loop to itself.
 */
async function hammer(server: BenchServer, subject: string, cookies: string[], dbProcesses: readonly string[]): Promise<Run> {
  const { base } = server;
  const first = await fetch(new URL(PATH, base), { headers: { cookie: cookies[0] ?? '' } });
  const body = first.ok ? ((await first.json()) as { items?: unknown[] }) : undefined;
  const pageRows = Array.isArray(body?.items) ? body.items.length : NaN;
  const job = JSON.stringify({ base: base.href, path: PATH, seconds, cookies, client: CLIENT, warmup: WARMUP });
  const client = path.join(import.meta.dirname, 'http-client.ts');
  const before = await server.cpuMicros();
  const dbBefore = processCpuMicros(dbProcesses);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', client, job], { maxBuffer: 256 * 1024 * 1024 });
  const cpu = (await server.cpuMicros()) - before;
  const dbAfter = processCpuMicros(dbProcesses);
  const out = JSON.parse(stdout) as { latencies: number[]; statuses: Record<string, number>; elapsed: number; clientCpuMicros: number; warmed: number };
  // The server's and the database's CPU are read around the whole run, warm-up included: per request of either.
  const served = Math.max(1, out.latencies.length + out.warmed);
  const statuses = new Map<number | string, number>(Object.entries(out.statuses).map(([k, v]) => [/^\d+$/.test(k) ? Number(k) : k, v]));
  return {
    subject,
    connections: cookies.length,
    pageRows,
    latencies: out.latencies,
    statuses,
    elapsed: out.elapsed,
    load: os.loadavg()[0] ?? NaN,
    cpuMicros: cpu / served,
    clientCpuMicros: out.clientCpuMicros,
    // PostgreSQL's backends are processes: one that exits between the readings counts once the postmaster has
    // reaped it (processCpuMicros adds reaped children); should the sum still fall, the figure is unknown, not negative.
    dbCpuMicros: dbBefore === undefined || dbAfter === undefined || dbAfter < dbBefore ? NaN : (dbAfter - dbBefore) / served,
  };
}

/** Removes the bench's session rows, so re-runs do not pile them up in the bench database. */
async function endSessions(context: AppContext, cookies: string[]): Promise<void> {
  for (const cookie of cookies) {
    const sid = decodeURIComponent(cookie.slice('aq_session='.length)).slice(2).split('.')[0] ?? '';
    await new Promise<void>((resolve) => context.sessionStore.destroy(sid, () => resolve()));
  }
}

async function benchDatabase(url: string): Promise<void> {
  const label = `${KIND_LABEL[benchKindOfUrl(url)]} ${benchDatabaseName(url)}`;
  const db = await connectBenchDb(url);
  let description: string;
  let subjects;
  let typicalUsers: BenchSubject[];
  // The list index, installed and built as `npm run migrate` does in production (once; bench:list shares
  // it): without it every listing would take the old plans over amavis's tables.
  const sequelize = createSequelize(url, { limits: { statementTimeoutMs: 600_000, poolMax: 2, acquireTimeoutMs: 60_000 } });
  try {
    subjects = await pickSubjects(db);
    typicalUsers = await usersAroundMedian(db, Math.max(...connectionCounts), subjects.users);
    description = `${await describeServer(db)}\n${describeListIndex(await ensureListIndex(sequelize, db, false, log))}`;
  } finally {
    await db.end();
    await sequelize.close();
  }
  const domain = subjects.largestDomain;
  const admin = { email: `bench-admin@${domain.domain}`, domain: domain.domain };
  const server = await startBenchServer({ url, admin, superUser: SUPER_USER, sessionSecret: randomBytes(32).toString('hex') }, INSTANCES);
  const { context } = server;
  const most = Math.max(...connectionCounts);
  const cookiesBySubject: Array<[string, string[]]> = [];
  try {
    for (const [name, email] of [
      [`typical user (${subjects.median.email}, ${subjects.median.rows} rows)`, subjects.median.email],
      ['super user (every message)', SUPER_USER],
      [`domain admin (${domain.domain}, ${domain.users.toLocaleString('en-US')} local users, ${domain.rows.toLocaleString('en-US')} rows)`, admin.email],
    ] as const) {
      if (ONLY && !ONLY.test(name)) continue;
      cookiesBySubject.push([name, await benchSessionCookies(context, email, most)]);
    }
    // The same typical user on every connection asks one question many times over, and identical listings
    // that come in together share a statement (routes/messages.ts); distinct users, one per connection, never do.
    const spread = typicalUsers.map((u) => u.rows).sort((a, b) => a - b);
    const distinct = `typical users, one per connection (${typicalUsers.length} users near the median, ${spread[0]}–${spread.at(-1)} rows)`;
    if (!ONLY || ONLY.test(distinct)) {
      const cookies: string[] = [];
      for (const u of typicalUsers) cookies.push(...(await benchSessionCookies(context, u.email, 1)));
      cookiesBySubject.splice(1, 0, [distinct, cookies]);
    }
    const runs: Run[] = [];
    for (const [name, cookies] of cookiesBySubject) {
      for (const n of connectionCounts) {
        log(`${label}: ${name}, ${n} connections, ${seconds} s…`);
        runs.push(await hammer(server, name, cookies.slice(0, n), DB_PROCESSES[benchKindOfUrl(url)]));
      }
    }
    console.log(
      `\n${label}: GET ${PATH} over loopback, ${seconds} s per row, each connection its own session, keep-alive, ${CLIENT} client, ${WARMUP} s warm-up, ${INSTANCES} server process${INSTANCES > 1 ? 'es' : ''}`,
    );
    console.log(description);
    console.log(
      `\n${formatTable(
        ['subject', 'page', 'conns', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'client CPU µs/req', 'DB CPU µs/req', 'errors', 'load 1m', 'answers'],
        runs.map((r) => {
          const timing = summarize(r.latencies);
          const sorted = [...r.latencies].sort((a, b) => a - b);
          const p99 = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.99 * sorted.length) - 1))] ?? NaN;
          const errors = [...r.statuses].filter(([s]) => s !== 200).reduce((n, [, c]) => n + c, 0);
          return [
            r.subject,
            Number.isNaN(r.pageRows) ? '-' : String(r.pageRows),
            String(r.connections),
            String(r.latencies.length),
            (r.latencies.length / r.elapsed).toFixed(1),
            ms(timing.p50),
            ms(p99),
            r.cpuMicros.toFixed(0),
            r.clientCpuMicros.toFixed(0),
            Number.isNaN(r.dbCpuMicros) ? '-' : r.dbCpuMicros.toFixed(0),
            String(errors),
            r.load.toFixed(2),
            [...r.statuses].map(([s, c]) => `${s}×${c}`).join(' '),
          ];
        }),
      )}`,
    );
  } finally {
    for (const [, cookies] of cookiesBySubject) await endSessions(context, cookies);
    await server.close();
  }
}

async function main(): Promise<void> {
  try {
    const urls = benchUrls(parseDbOption(args.db));
    urls.forEach(benchDatabaseName);
    await ensureBenchDatabases({ urls, params: defaultParams(args.msgs ? Number(args.msgs) : undefined), log });
    for (const url of urls) await benchDatabase(url);
    console.log(
      `\nload average (1/5/15 min) ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}; ${os.availableParallelism()} CPUs`,
    );
  } catch (error) {
    console.error(`bench:http failed: ${(error as Error).message}`);
  }
  process.exit(0);
}

// With --instances N, this file also runs as each server process (node:cluster forks it).
if (isBenchWorker()) await runBenchWorker();
else if (cluster.isPrimary) await main();
