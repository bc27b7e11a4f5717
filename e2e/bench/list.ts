/**
 * `npm run bench:list [-- --db mariadb|postgres|both] [--msgs N] [--regenerate] [--runs R] [--explain]`:
 * times the quarantine listing (the service's `list()` call, i.e. server-side time without HTTP) on a
 * generated amavis database, MariaDB's and PostgreSQL's with the same rows, next to MailZu's listing
 * query shape, and prints the figures against the targets. It only prints: it exits 0 whatever the
 * figures, and no test asserts on wall-clock time.
 */
import { parseArgs } from 'node:util';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../server/db/connect';
import { binaryText } from '../../server/amavis/binary';
import { createQuarantineLister } from '../../server/amavis/listing';
import { BENCH_URL_ENV, DEFAULT_BENCH_URLS, KIND_LABEL, benchDatabaseName, benchKindOfUrl, connectBenchDb } from './bench-db';
import { explainScenarios } from './explain';
import { benchUrls, ensureBenchDatabases, parseDbOption, type BenchMeta } from './generate';
import { MAILZU_USER_CONTENTS, listLikeMailzu } from './mailzu-query';
import { formatTable, ms, summarize, timeRuns } from './report';
import { DELIMITER, MAILZU_FACTOR, PAGE, buildScenarios, type Measured, type Scenario } from './scenarios';
import { describeServer } from './server-info';
import { pickSubjects, type BenchSubject } from './subjects';
import { defaultParams } from './synthesize';

const HELP = `usage: npm run bench:list -- [options]
  --db D              mariadb, postgres or both (default both): the same data set on each, one after the other
  --msgs N            msgs rows to generate (default 1000000; e.g. 20000 for a quick trial)
  --regenerate        regenerate the bench databases even if their parameters match
  --runs R            measured runs per scenario (default 50), after --warmups (default 5) ...
  --budget S          ... or fewer (at least 5) once S seconds are spent on a scenario (default 20)
  --mailzu-runs N     at most N runs of the MailZu query per user (default 5) ...
  --mailzu-budget S   ... or fewer, once S seconds are spent (default 60; a run may take a minute at 1M)
  --no-mailzu         skip the MailZu comparison
  --explain           also print each statement of each scenario's first list() call with its plan:
                      MariaDB's ANALYZE, PostgreSQL's EXPLAIN (ANALYZE, BUFFERS)
env: ${BENCH_URL_ENV.mariadb} (default ${DEFAULT_BENCH_URLS.mariadb})
     ${BENCH_URL_ENV.postgres} (default ${DEFAULT_BENCH_URLS.postgres})
     each database's name must contain "bench": the generator empties it.`;

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
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

// The bench measures rather than protects: a MailZu-shaped run may take a minute, so the statement
// limit is far above the server's default 15 s.
const BENCH_LIMITS = { statementTimeoutMs: 600_000, poolMax: 4, acquireTimeoutMs: 60_000 };

const log = (line: string) => process.stderr.write(`${line}\n`);
const runs = positive(args.runs, 'runs');
const warmups = Math.max(0, Number(args.warmups) || 0);
const budgetMs = positive(args.budget, 'budget') * 1000;
let urls: string[];
try {
  urls = benchUrls(parseDbOption(args.db));
  urls.forEach(benchDatabaseName);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const metas = await ensureBenchDatabases({ urls, params: defaultParams(args.msgs ? positive(args.msgs, 'msgs') : undefined), regenerate: args.regenerate, log });
const endTimes = new Set([...metas.values()].map((m) => m.meta.endTime));
if (endTimes.size > 1) log('note: the databases were generated on different days, so their times differ; --regenerate makes them equal');

const results: Array<{ url: string; measured: Measured[] }> = [];
for (const url of urls) {
  const meta = metas.get(url)?.meta as BenchMeta;
  results.push({ url, measured: await benchDatabase(url, meta) });
}
if (results.length > 1) printSideBySide(results);

/** Times every scenario on one database and prints its block (and its plans with --explain). */
async function benchDatabase(url: string, meta: BenchMeta): Promise<Measured[]> {
  const label = `${KIND_LABEL[benchKindOfUrl(url)]} ${benchDatabaseName(url)}`;
  const db = await connectBenchDb(url);
  const sequelize = createSequelize(url, { limits: BENCH_LIMITS });
  try {
    const subjects = await pickSubjects(db);
    const { scenarios, typical, heaviest } = buildScenarios(subjects);
    log(`${label}: timing ${scenarios.length} scenarios, ${runs} runs after ${warmups} warm-ups each`);
    const measured: Measured[] = [];
    for (const scenario of scenarios) measured.push(await timeScenario(sequelize, scenario));

    const mailzu = args['no-mailzu']
      ? []
      : await timeMailzu(sequelize, [
          { label: 'typical', subject: subjects.median, ours: measuredFor(measured, typical) },
          { label: 'heaviest', subject: subjects.heaviest, ours: measuredFor(measured, heaviest) },
        ]);

    console.log(
      `\n${label}: ${meta.rows.msgs.toLocaleString('en-US')} msgs, ${meta.rows.msgrcpt.toLocaleString('en-US')} msgrcpt, ` +
        `${meta.rows.maddr.toLocaleString('en-US')} maddr, ${subjects.users.toLocaleString('en-US')} local users; generated ${meta.generatedAt.slice(0, 10)} in ${meta.generationSeconds} s`,
    );
    console.log(await describeServer(db));
    console.log(
      `our list() call, page of ${PAGE}: up to ${runs} runs (n) after ${warmups} warm-ups; "first" is the first call on a fresh lister (cold service caches)\n`,
    );
    console.log(
      formatTable(
        ['scenario', 'rows', 'first', 'n', 'p50 ms', 'p95 ms', 'max ms', 'target', ''],
        measured.map((m) => [
          m.error ? `${m.scenario.name}: FAILED, ${m.error}` : m.scenario.name,
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
              Number.isFinite(ratio) ? `${Math.round(ratio).toLocaleString('en-US')}×` : '-',
              `≥ ${MAILZU_FACTOR}×`,
              ratio >= MAILZU_FACTOR ? 'PASS' : 'MISS',
            ];
          }),
        ),
      );
    }
    if (args.explain) await explainScenarios(sequelize, db, scenarios);
    return measured;
  } finally {
    await sequelize.close();
    await db.end();
  }
}

/** One scenario on a fresh lister, so "first call" includes the service's own lookups and caches; a failure is reported, not thrown. */
async function timeScenario(sequelize: Sequelize, scenario: Scenario): Promise<Measured> {
  const lister = createQuarantineLister(sequelize, { recipientDelimiter: DELIMITER });
  try {
    const prepared = scenario.prepare ? await scenario.prepare(lister) : undefined;
    if (prepared) scenario.name = prepared.name;
    const query = prepared?.query ?? scenario.query;
    const started = performance.now();
    const first = await lister.list(scenario.scope, query);
    const firstCall = performance.now() - started;
    const timing = summarize(await timeRuns(() => lister.list(scenario.scope, query), runs, warmups, budgetMs));
    log(`  ${scenario.name}: p50 ${ms(timing.p50)} ms`);
    const pageKeys = first.rows.map((r) => `${r.partition_tag}/${binaryText(r.mail_id)}/${r.rseqnum}`);
    return { scenario, firstCall, timing, pageRows: first.rows.length, pageKeys };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'failed';
    log(`  ${scenario.name}: FAILED, ${message}`);
    return { scenario, firstCall: NaN, timing: summarize([]), pageRows: 0, pageKeys: [], error: message };
  }
}

/**
 * Both databases' p50 and p95 per scenario, side by side (the scenarios match: same data, same
 * subjects), and whether both listed the same rows on the first call.
 */
function printSideBySide(all: Array<{ url: string; measured: Measured[] }>): void {
  const labels = all.map((r) => KIND_LABEL[benchKindOfUrl(r.url)]);
  const first = all[0]?.measured ?? [];
  const header = ['scenario', ...labels.flatMap((l) => [`${l} p50`, 'p95']), 'target', 'same rows'];
  const rows = first.map((m, i) => [
    m.scenario.name,
    ...all.flatMap((r) => {
      const other = r.measured[i];
      return other?.error ? ['failed', '-'] : [ms(other?.timing.p50 ?? NaN), ms(other?.timing.p95 ?? NaN)];
    }),
    m.scenario.target === undefined ? '-' : `p95 ≤ ${m.scenario.target} ms`,
    all.every((r) => r.measured[i]?.pageKeys.join() === m.pageKeys.join()) ? 'yes' : 'NO',
  ]);
  const mismatch = all.some((r) => r.measured.some((m, i) => m.scenario.name !== first[i]?.scenario.name));
  console.log(`\nside by side, ms of the list() call${mismatch ? ' (note: the databases picked different subjects: their data differ)' : ''}\n`);
  console.log(formatTable(header, rows));
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

function measuredFor(measured: Measured[], scenario: Scenario): Measured {
  const found = measured.find((m) => m.scenario === scenario);
  if (!found) throw new Error(`no timing for ${scenario.name}`);
  return found;
}

function positive(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}
