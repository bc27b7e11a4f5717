/**
 * `npm run bench:list [-- --db mariadb|postgres|both] [--msgs N] [--runs R] [--findings FILE] …`: builds the
 * list index in a generated amavis database (MariaDB's and PostgreSQL's, with the same rows), times the
 * quarantine listing (the service's `list()` call, i.e. server-side time without HTTP) over issue #13's
 * whole matrix, checks each page against the old plans over amavis's tables, times MailZu's and
 * modoboa's statements for the same questions, and prints the figures against the targets. It only
 * prints: it exits 0 whatever the figures, and no test asserts on wall-clock time.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../server/db/connect';
import { createQuarantineLister } from '../../server/amavis/listing';
import { BENCH_URL_ENV, DEFAULT_BENCH_URLS, KIND_LABEL, benchDatabaseName, benchKindOfUrl, connectBenchDb } from './bench-db';
import { formatBaselines, timeBaselines } from './baselines';
import { checkAgainstOldPlans } from './compare';
import { explainScenarios } from './explain';
import { writeFindings } from './findings';
import { benchUrls, ensureBenchDatabases, parseDbOption, type BenchMeta } from './generate';
import { describeListIndex, ensureListIndex } from './index-build';
import { formatMatrix, printSideBySide, type DatabaseRun } from './matrix-report';
import { ms, summarize, timeRuns } from './report';
import { DELIMITER, buildScenarios, rowKey, sortKey, type Measured, type Scenario } from './scenarios';
import { describeServer } from './server-info';
import { pickSubjects } from './subjects';
import { defaultParams } from './synthesize';

const HELP = `usage: npm run bench:list -- [options]
  --db D                mariadb, postgres or both (default both): the same data set on each, one after the other
  --msgs N              msgs rows to generate (default 1000000; e.g. 20000 for a quick trial)
  --regenerate          regenerate the bench databases even if their parameters match
  --rebuild-index       drop and rebuild the list index (it is built once, and its build time recorded)
  --runs R              measured runs per scenario (default 50), after --warmups (default 3) ...
  --budget S            ... or fewer (at least 5) once S seconds are spent on a scenario (default 10)
  --warm S              before any timing: every question twice, then the quick ones in turn for S seconds (default 3, 0 for none)
  --only RE             only the scenarios whose name matches the regular expression
  --baseline-timeout S  statement timeout of MailZu's and modoboa's statements (default 10)
  --no-baselines        skip MailZu and modoboa
  --old-timeout S       statement timeout of the old plans' check (default 10)
  --no-check            skip the check against the old plans (useIndex: false)
  --findings FILE       append the slow scenarios with their plans, errors and mismatches to FILE (Markdown)
  --explain             also print each statement of each scenario's first list() call with its plan
env: ${BENCH_URL_ENV.mariadb} (default ${DEFAULT_BENCH_URLS.mariadb})
     ${BENCH_URL_ENV.postgres} (default ${DEFAULT_BENCH_URLS.postgres})
     each database's name must contain "bench": the generator empties it.`;

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    msgs: { type: 'string' },
    regenerate: { type: 'boolean', default: false },
    'rebuild-index': { type: 'boolean', default: false },
    runs: { type: 'string', default: '50' },
    warmups: { type: 'string', default: '3' },
    budget: { type: 'string', default: '10' },
    warm: { type: 'string', default: '3' },
    only: { type: 'string' },
    'baseline-timeout': { type: 'string', default: '10' },
    'no-baselines': { type: 'boolean', default: false },
    'old-timeout': { type: 'string', default: '10' },
    'no-check': { type: 'boolean', default: false },
    findings: { type: 'string' },
    explain: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}

// The bench measures rather than protects: the index build and the slow scenarios may take minutes.
const BENCH_LIMITS = { statementTimeoutMs: 600_000, poolMax: 4, acquireTimeoutMs: 60_000 };

const log = (line: string) => process.stderr.write(`${line}\n`);
const runs = positive(args.runs, 'runs');
const warmups = Math.max(0, Number(args.warmups) || 0);
const budgetMs = positive(args.budget, 'budget') * 1000;
const warmMs = nonNegative(args.warm, 'warm') * 1000;
const baselineTimeoutMs = positive(args['baseline-timeout'], 'baseline-timeout') * 1000;
const oldTimeoutMs = positive(args['old-timeout'], 'old-timeout') * 1000;
const only = args.only ? new RegExp(args.only, 'i') : undefined;
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

const results: DatabaseRun[] = [];
for (const url of urls) results.push(await benchDatabase(url, metas.get(url)?.meta as BenchMeta));
if (results.length > 1) printSideBySide(results);

/** Builds the index, times every scenario on one database, checks and compares it, and prints its block. */
async function benchDatabase(url: string, meta: BenchMeta): Promise<DatabaseRun> {
  const label = `${KIND_LABEL[benchKindOfUrl(url)]} ${benchDatabaseName(url)}`;
  const db = await connectBenchDb(url);
  const sequelize = createSequelize(url, { limits: BENCH_LIMITS });
  const oldPlans = createSequelize(url, { limits: { ...BENCH_LIMITS, statementTimeoutMs: oldTimeoutMs } });
  try {
    log(`${label}: installing and building the list index`);
    const index = await ensureListIndex(sequelize, db, args['rebuild-index'], log);
    log(`  ${describeListIndex(index)}`);
    const subjects = await pickSubjects(db);
    const scenarios = buildScenarios(subjects, meta.endTime).filter((s) => !only || only.test(s.name));
    const loadBefore = os.loadavg();
    log(`${label}: timing ${scenarios.length} scenarios, ${runs} runs after ${warmups} warm-ups each (load ${loadBefore[0]?.toFixed(2)})`);
    // Warm the pool, the process's JIT and the database's caches first (--warm): a running server has long
    // compiled its hot code. Without it the first scenario timed (the typical user's first page) paid for
    // that, with a p95 of 2.4-4 ms at a p50 of 0.9-1.6 in one run in two, while the same question later in the
    // run ("page 1") stayed within 0.2 ms of its p50. Then half a second idle, for the compiler's background
    // work and the collector to finish before the first timing.
    const warmed = await warmUp(sequelize, scenarios, warmMs);
    await new Promise((resolve) => setTimeout(resolve, warmMs > 0 ? 500 : 0));
    log(`  warmed up: ${warmed.calls} calls in ${(warmed.ms / 1000).toFixed(1)} s (every scenario twice, then the ${warmed.quick} quick ones for ${warmMs / 1000} s)`);
    const measured: Measured[] = [];
    for (const scenario of scenarios) measured.push(await timeScenario(sequelize, scenario));
    const loadAfter = os.loadavg();
    const checks = args['no-check'] ? [] : await checkAgainstOldPlans(oldPlans, measured, oldTimeoutMs, log);
    const baselines = args['no-baselines'] ? [] : await timeBaselines(db, measured, baselineTimeoutMs, log);

    console.log(
      `\n${label}: ${meta.rows.msgs.toLocaleString('en-US')} msgs, ${meta.rows.msgrcpt.toLocaleString('en-US')} msgrcpt, ` +
        `${meta.rows.maddr.toLocaleString('en-US')} maddr, ${subjects.users.toLocaleString('en-US')} local users; generated ${meta.generatedAt.slice(0, 10)} in ${meta.generationSeconds} s`,
    );
    console.log(await describeServer(db));
    console.log(describeListIndex(index));
    console.log(
      `load average (1 min) ${loadBefore[0]?.toFixed(2)} before the timings, ${loadAfter[0]?.toFixed(2)} after; ${os.availableParallelism()} CPUs\n` +
        `our list() call from the list index, page of 50: up to ${runs} runs (n) after ${warmups} warm-ups; "first" is the first call on a fresh lister; ` +
        `"old ms" one call of the old plans (useIndex: false, capped at ${oldTimeoutMs / 1000} s), "vs old" whether the first pages match\n`,
    );
    console.log(formatMatrix(measured, checks));
    if (baselines.length) {
      console.log(
        `\nMailZu's and modoboa's listing statements for the same questions (baseline-queries.ts), every row read, each capped at ${baselineTimeoutMs / 1000} s; ` +
          `a page 20 or a count is the same statement as the first page for them; neither has a date window; MailZu has no domain admin\n`,
      );
      console.log(formatBaselines(baselines, baselineTimeoutMs));
    }
    if (args.findings) await writeFindings(args.findings, label, sequelize, db, measured, checks, log);
    if (args.explain) await explainScenarios(sequelize, db, scenarios);
    return { url, label: KIND_LABEL[benchKindOfUrl(url)], measured, checks };
  } finally {
    await sequelize.close();
    await oldPlans.close();
    await db.end();
  }
}

/**
 * Every scenario's question once (unprepared: a page 20 asks for the first page), cold, then once more to
 * time it warm; then the quick ones (under 10 ms on that second call) in turn for `budgetMs`, so that the
 * code paths of the quick questions, whose p95 a few compiler or collector pauses decide, run hundreds of
 * times. Errors are the timings' to report.
 */
async function warmUp(sequelize: Sequelize, scenarios: readonly Scenario[], budgetMs: number): Promise<{ calls: number; quick: number; ms: number }> {
  const warm = createQuarantineLister(sequelize, { recipientDelimiter: DELIMITER });
  const started = performance.now();
  const ask = (s: Scenario) => warm.list(s.scope, s.query).catch(() => undefined);
  let calls = 0;
  const quick: Scenario[] = [];
  if (budgetMs > 0) {
    for (const s of scenarios) {
      await ask(s);
      const at = performance.now();
      await ask(s);
      calls += 2;
      if (performance.now() - at < 10) quick.push(s);
    }
  }
  const quickFrom = performance.now();
  while (quick.length && performance.now() - quickFrom < budgetMs) {
    for (const s of quick) await ask(s);
    calls += quick.length;
  }
  return { calls, quick: quick.length, ms: performance.now() - started };
}

/** One scenario on a fresh lister, so "first call" includes the service's own lookups and caches; a failure is reported, not thrown. */
async function timeScenario(sequelize: Sequelize, scenario: Scenario): Promise<Measured> {
  const lister = createQuarantineLister(sequelize, { recipientDelimiter: DELIMITER });
  let query = scenario.query;
  try {
    const prepared = scenario.prepare ? await scenario.prepare(lister) : undefined;
    if (prepared?.name) scenario.name = prepared.name;
    query = prepared?.query ?? scenario.query;
    const started = performance.now();
    const first = await lister.list(scenario.scope, query);
    const firstCall = performance.now() - started;
    const timing = summarize(await timeRuns(() => lister.list(scenario.scope, query), runs, warmups, budgetMs));
    log(`  ${scenario.name}: p50 ${ms(timing.p50)} ms, p95 ${ms(timing.p95)} ms${timing.p95 > scenario.target ? ` MISS (target ${scenario.target})` : ''}`);
    return {
      scenario,
      query,
      firstCall,
      timing,
      pageRows: first.rows.length,
      pageKeys: first.rows.map(rowKey),
      pageSortKeys: first.rows.map((r) => sortKey(r, query)),
      ...(first.count ? { count: first.count } : {}),
    };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'failed';
    log(`  ${scenario.name}: FAILED, ${message}`);
    return { scenario, query, firstCall: NaN, timing: summarize([]), pageRows: 0, pageKeys: [], pageSortKeys: [], error: message };
  }
}

function nonNegative(value: string | undefined, name: string): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number of seconds, 0 or more\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

function positive(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}
