/**
 * `npm run bench:list [-- --msgs N] [--regenerate] [--runs R] [--explain]`: times the quarantine
 * listing (the service's `list()` call, i.e. server-side time without HTTP) on a generated amavis
 * database, next to MailZu's listing query shape, and prints the figures against the targets. It only
 * prints: it exits 0 whatever the figures, and no test asserts on wall-clock time.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { RowDataPacket } from 'mysql2/promise';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../server/db/connect';
import { createQuarantineLister, type ListQuery, type ListScope, type QuarantineLister } from '../../server/amavis/listing';
import { captureQueries, condenseSql, explainStatement } from './explain';
import { DEFAULT_BENCH_DB_URL, benchDatabaseName, connectBench, ensureBenchDatabase } from './generate';
import { MAILZU_USER_CONTENTS, buildMailzuListQuery, listLikeMailzu } from './mailzu-query';
import { formatTable, ms, summarize, timeRuns, type Timing } from './report';
import { pickSubjects, type BenchSubject } from './subjects';
import { defaultParams } from './synthesize';

const HELP = `usage: npm run bench:list -- [options]
  --msgs N            msgs rows to generate (default 1000000; e.g. 20000 for a quick trial)
  --regenerate        regenerate the bench database even if its parameters match
  --runs R            measured runs per scenario (default 50), after --warmups (default 5) ...
  --budget S          ... or fewer (at least 5) once S seconds are spent on a scenario (default 20)
  --mailzu-runs N     at most N runs of the MailZu query per user (default 5) ...
  --mailzu-budget S   ... or fewer, once S seconds are spent (default 60; a run may take a minute at 1M)
  --no-mailzu         skip the MailZu comparison
  --explain           also print MariaDB's ANALYZE of every statement of each scenario's first list() call
env: AQ_BENCH_DB_URL (default ${DEFAULT_BENCH_DB_URL}); the database name must contain "bench".`;

const { values: args } = parseArgs({
  options: {
    msgs: { type: 'string' },
    regenerate: { type: 'boolean', default: false },
    runs: { type: 'string', default: '50' },
    warmups: { type: 'string', default: '5' },
    budget: { type: 'string', default: '20' },
    'mailzu-runs': { type: 'string', default: '5' },
    'mailzu-budget': { type: 'string', default: '60' },
    'no-mailzu': { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}

const PAGE = 50;
// What the issue asks of the listing (p95 of the list() call), and of the comparison with MailZu.
const TYPICAL_MS = 2;
const ANY_USER_MS = 20;
const SUPER_MS = 2;
const MAILZU_FACTOR = 100;
// Users' +extension addresses (alice+news@…) belong to them, as with a Postfix recipient_delimiter.
const DELIMITER = '+';

interface Scenario {
  name: string;
  scope: ListScope;
  query: ListQuery;
  /** p95 target in ms; none for the scenarios that only inform. */
  target?: number;
  /** Resolves the cursor of a deep page before timing starts, and names the page it reached. */
  prepare?: (lister: QuarantineLister) => Promise<{ query: ListQuery; name: string }>;
}

interface Measured {
  scenario: Scenario;
  firstCall: number;
  timing: Timing;
  pageRows: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const runs = positive(args.runs, 'runs');
const warmups = Math.max(0, Number(args.warmups) || 0);
const budgetMs = positive(args.budget, 'budget') * 1000;
const url = process.env.AQ_BENCH_DB_URL ?? DEFAULT_BENCH_DB_URL;
try {
  benchDatabaseName(url);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const { meta } = await ensureBenchDatabase({ url, params: defaultParams(args.msgs ? positive(args.msgs, 'msgs') : undefined), regenerate: args.regenerate, log });
const conn = await connectBench(url);
const sequelize = createSequelize(url);
try {
  const subjects = await pickSubjects(conn);
  const user = (s: BenchSubject): ListScope => ({ kind: 'addresses', addresses: [s.email] });
  const who = (s: BenchSubject) => `${s.email}, ${s.rows.toLocaleString('en-US')} rows`;
  const scenarios: Scenario[] = [
    { name: `typical (median) user, first page (${who(subjects.median)})`, scope: user(subjects.median), query: { limit: PAGE }, target: TYPICAL_MS },
    { name: `p90 user, first page (${who(subjects.p90)})`, scope: user(subjects.p90), query: { limit: PAGE }, target: ANY_USER_MS },
    { name: `p99 user, first page (${who(subjects.p99)})`, scope: user(subjects.p99), query: { limit: PAGE }, target: ANY_USER_MS },
    { name: `p99.9 user, first page (${who(subjects.p999)})`, scope: user(subjects.p999), query: { limit: PAGE }, target: ANY_USER_MS },
    { name: `heaviest user, first page (${who(subjects.heaviest)})`, scope: user(subjects.heaviest), query: { limit: PAGE }, target: ANY_USER_MS },
    {
      name: 'heaviest user, keyset page 50',
      scope: user(subjects.heaviest),
      query: { limit: PAGE },
      prepare: async (lister) => {
        const { query, pages } = await followCursor(lister, user(subjects.heaviest), 49);
        return { query, name: `heaviest user, keyset page ${pages + 1} (after ${(pages * PAGE).toLocaleString('en-US')} rows)` };
      },
    },
    { name: 'heaviest user, first page by score', scope: user(subjects.heaviest), query: { limit: PAGE, sort: 'score' } },
    { name: 'heaviest user, first page of viruses', scope: user(subjects.heaviest), query: { limit: PAGE, type: ['virus'] } },
    { name: 'super user, newest page', scope: { kind: 'all' }, query: { limit: PAGE }, target: SUPER_MS },
    {
      name: `domain admin, largest domain (${subjects.largestDomain.domain}, ${subjects.largestDomain.rows.toLocaleString('en-US')} rows)`,
      scope: { kind: 'domains', domains: [subjects.largestDomain.domain] },
      query: { limit: PAGE },
    },
    {
      name: `domain admin, smallest domain (${subjects.smallestDomain.domain}, ${subjects.smallestDomain.rows.toLocaleString('en-US')} rows)`,
      scope: { kind: 'domains', domains: [subjects.smallestDomain.domain] },
      query: { limit: PAGE },
    },
    { name: 'typical user, search q=offer', scope: user(subjects.median), query: { limit: PAGE, q: 'offer' } },
    { name: 'heaviest user, search q=offer', scope: user(subjects.heaviest), query: { limit: PAGE, q: 'offer' } },
  ];

  const typicalFirstPage = scenarios[0] as Scenario;
  const heaviestFirstPage = scenarios[4] as Scenario;
  log(`timing ${scenarios.length} scenarios: ${runs} runs after ${warmups} warm-ups each`);
  const measured: Measured[] = [];
  for (const scenario of scenarios) {
    // A fresh lister per scenario, so "first call" includes the service's own lookups and caches.
    const lister = createQuarantineLister(sequelize, { recipientDelimiter: DELIMITER });
    const prepared = scenario.prepare ? await scenario.prepare(lister) : undefined;
    if (prepared) scenario.name = prepared.name;
    const query = prepared?.query ?? scenario.query;
    const started = performance.now();
    const first = await lister.list(scenario.scope, query);
    const firstCall = performance.now() - started;
    const samples = await timeRuns(() => lister.list(scenario.scope, query), runs, warmups, budgetMs);
    measured.push({ scenario, firstCall, timing: summarize(samples), pageRows: pageLength(first) });
    log(`  ${scenario.name}: p50 ${ms(summarize(samples).p50)} ms`);
  }

  const mailzu = args['no-mailzu']
    ? []
    : await timeMailzu(sequelize, [
        { label: 'typical', subject: subjects.median, ours: measuredFor(measured, typicalFirstPage) },
        { label: 'heaviest', subject: subjects.heaviest, ours: measuredFor(measured, heaviestFirstPage) },
      ]);

  console.log(
    `\n${benchDatabaseName(url)}: ${meta.rows.msgs.toLocaleString('en-US')} msgs, ${meta.rows.msgrcpt.toLocaleString('en-US')} msgrcpt, ` +
      `${meta.rows.maddr.toLocaleString('en-US')} maddr, ${subjects.users.toLocaleString('en-US')} local users; generated ${meta.generatedAt.slice(0, 10)} in ${meta.generationSeconds} s`,
  );
  console.log(await describeServer());
  console.log(`our list() call, page of ${PAGE}: up to ${runs} runs (n) after ${warmups} warm-ups; "first" is the first call on a fresh lister (cold service caches)\n`);
  console.log(
    formatTable(
      ['scenario', 'rows', 'first', 'n', 'p50 ms', 'p95 ms', 'max ms', 'target', ''],
      measured.map((m) => [
        m.scenario.name,
        String(m.pageRows),
        ms(m.firstCall),
        String(m.timing.n),
        ms(m.timing.p50),
        ms(m.timing.p95),
        ms(m.timing.max),
        m.scenario.target === undefined ? '-' : `p95 ≤ ${m.scenario.target} ms`,
        m.scenario.target === undefined ? '' : m.timing.p95 <= m.scenario.target ? 'PASS' : 'MISS',
      ]),
    ),
  );
  if (mailzu.length > 0) {
    console.log(
      `\nMailZu's listing shape (lib/DBEngine.class.php get_user_messages: no LIMIT, every row fetched, page cut in PHP; content IN (${MAILZU_USER_CONTENTS.join(',')}), rs IN ('','v'), recipient_delimiter '${DELIMITER}')\n`,
    );
    console.log(
      formatTable(
        ['MailZu, first page', 'rows fetched', 'runs', 'p50 ms', 'max ms', 'ours p50', 'MailZu/ours', 'target', ''],
        mailzu.map((z) => {
          const ratio = z.timing.p50 / z.ours.timing.p50;
          return [
            `${z.label} user (${z.subject.email})`,
            z.total.toLocaleString('en-US'),
            String(z.timing.n),
            ms(z.timing.p50),
            ms(z.timing.max),
            ms(z.ours.timing.p50),
            `${Math.round(ratio).toLocaleString('en-US')}×`,
            `≥ ${MAILZU_FACTOR}×`,
            ratio >= MAILZU_FACTOR ? 'PASS' : 'MISS',
          ];
        }),
      ),
    );
  }
  if (args.explain) await explainAll(scenarios);
} finally {
  await sequelize.close();
  await conn.end();
}

/** Pages up to `depth` times through a scope; returns the query for the next page and the pages read. */
async function followCursor(lister: QuarantineLister, scope: ListScope, depth: number): Promise<{ query: ListQuery; pages: number }> {
  let cursor: string | undefined;
  let pages = 0;
  while (pages < depth) {
    const result = await lister.list(scope, { limit: PAGE, cursor });
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
    pages++;
  }
  return { query: { limit: PAGE, cursor }, pages };
}

/** Times the MailZu-shaped query; stops after --mailzu-runs runs or once --mailzu-budget is spent. */
async function timeMailzu(db: Sequelize, users: Array<{ label: string; subject: BenchSubject; ours: Measured }>) {
  const maxRuns = positive(args['mailzu-runs'], 'mailzu-runs');
  const budget = positive(args['mailzu-budget'], 'mailzu-budget') * 1000;
  const out = [];
  for (const u of users) {
    log(`  MailZu shape, ${u.label} user ${u.subject.email}…`);
    const options = { addresses: [u.subject.email], recipientDelimiter: DELIMITER, page: 0, pageSize: PAGE };
    const run = async () => {
      const started = performance.now();
      const result = await listLikeMailzu(db, options);
      return { elapsed: performance.now() - started, total: result.total };
    };
    const begun = performance.now();
    const first = await run();
    // A cheap first run only warms caches; one that takes seconds is a measurement in itself.
    const samples = first.elapsed > budget / 10 ? [first.elapsed] : [];
    while (samples.length < maxRuns && (samples.length === 0 || performance.now() - begun < budget)) samples.push((await run()).elapsed);
    out.push({ ...u, total: first.total, timing: summarize(samples) });
  }
  return out;
}

/**
 * --explain: the plan, with real row counts, of every statement of a scenario's first list() call on a
 * fresh lister, so the service's cached lookups (partition tags, plan choice, domain ids) show too.
 */
async function explainAll(scenarios: Scenario[]): Promise<void> {
  for (const scenario of scenarios) {
    const lister = createQuarantineLister(sequelize, { recipientDelimiter: DELIMITER });
    const query = scenario.prepare ? (await scenario.prepare(lister)).query : scenario.query;
    const capture = captureQueries(sequelize);
    try {
      await lister.list(scenario.scope, query);
    } finally {
      capture.stop();
    }
    console.log(`\n=== ${scenario.name}`);
    for (const sql of capture.take()) {
      console.log(`\n${condenseSql(sql)}\n${await explainStatement(conn, sql)}`);
    }
  }
  const mz = buildMailzuListQuery({ addresses: ['someone@example0.test'], recipientDelimiter: DELIMITER });
  const inlined = mz.replacements.reduce((sql, value) => sql.replace('?', conn.escape(value)), mz.sql);
  console.log(`\n=== MailZu shape\n\n${condenseSql(inlined)}\n${await explainStatement(conn, inlined, false)}`);
}

/** The server, its buffer pool against the data, and the machine's load: they decide the figures. */
async function describeServer(): Promise<string> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT @@version AS version, @@innodb_buffer_pool_size AS pool,
       (SELECT SUM(data_length + index_length) FROM information_schema.tables
         WHERE table_schema = DATABASE() AND table_name IN ('msgs', 'msgrcpt', 'maddr')) AS data`,
  );
  const mb = (bytes: unknown) => Math.round(Number(bytes) / 1048576);
  const pool = mb(rows[0]?.pool);
  const data = mb(rows[0]?.data);
  const lines = [
    `server ${String(rows[0]?.version)}; innodb_buffer_pool_size ${pool} MB for ${data} MB of msgs+msgrcpt+maddr (data and indexes); stock amavis indexes only`,
    `client load average ${os.loadavg()[0]?.toFixed(2)} on ${os.availableParallelism()} CPUs (the machine is shared: sub-millisecond p95s are noisy)`,
  ];
  if (pool < data) {
    lines.push(`note: the buffer pool is smaller than the tables, so plans that touch many random rows read pages from outside it (as on a stock install)`);
  }
  return lines.join('\n');
}

function measuredFor(measured: Measured[], scenario: Scenario): Measured {
  const found = measured.find((m) => m.scenario === scenario);
  if (!found) throw new Error(`no timing for ${scenario.name}`);
  return found;
}

/** Rows in a page, whatever the result calls its list (the contract says items, the service rows). */
function pageLength(result: unknown): number {
  const r = result as { rows?: unknown[]; items?: unknown[] };
  return (r.rows ?? r.items ?? []).length;
}

function positive(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}
