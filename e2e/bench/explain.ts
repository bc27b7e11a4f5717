import type { Sequelize } from 'sequelize';
import { createQuarantineLister } from '../../server/amavis/listing';
import type { BenchDb } from './bench-db';
import { buildMailzuListQuery } from './mailzu-query';
import { formatTable } from './report';
import { DELIMITER, type Scenario } from './scenarios';

/**
 * Records the SQL a Sequelize instance runs. The listing passes its values as `replacements`, which
 * Sequelize writes into the SQL text before running it, so the logged text can be re-run as it is.
 */
export function captureQueries(sequelize: Sequelize): { take(): string[]; stop(): void } {
  let captured: string[] = [];
  // Sequelize reads `options.logging` on every query, but its typings do not expose `options`.
  const options = (sequelize as unknown as { options: { logging?: false | ((message: string) => void) } }).options;
  const previous = options.logging;
  options.logging = (message: string) => {
    captured.push(message.replace(/^Executing \([^)]*\): /, ''));
  };
  return {
    take() {
      const out = captured;
      captured = [];
      return out;
    },
    stop() {
      options.logging = previous ?? false;
    },
  };
}

/** One statement on one line, long ones cut in the middle (a 50-message IN list says little). */
export function condenseSql(sql: string, max = 700): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max * 0.7)} … ${flat.slice(-max * 0.3)}`;
}

/**
 * Runs the statement under the server's own instrumentation and prints the plan with what really
 * happened: MariaDB's ANALYZE (r_rows next to the optimizer's rows), PostgreSQL's EXPLAIN (ANALYZE,
 * BUFFERS) (actual rows, loops and the pages read, "hit" in shared_buffers or "read" from outside).
 * Plain EXPLAIN when `execute` is false (for statements that run for minutes).
 */
export async function explainStatement(db: BenchDb, sql: string, execute = true): Promise<string> {
  if (db.kind === 'postgres') return explainPostgres(db, sql, execute);
  // The time plan pins MariaDB's optimizer for one statement: the pin goes in front of ANALYZE.
  const pinned = /^\s*(SET STATEMENT .*? FOR )(SELECT\b[\s\S]*)$/i.exec(sql);
  const statement = pinned?.[2] ?? sql;
  if (!/^\s*(SELECT|WITH)\b/i.test(statement)) return '(not a SELECT)';
  const started = performance.now();
  const rows = await db.query<Record<string, string | number | null>>(`${pinned?.[1] ?? ''}${execute ? 'ANALYZE' : 'EXPLAIN'} ${statement}`);
  const elapsed = performance.now() - started;
  const columns = execute
    ? ['id', 'select_type', 'table', 'type', 'key', 'ref', 'rows', 'r_rows', 'filtered', 'r_filtered', 'Extra']
    : ['id', 'select_type', 'table', 'type', 'key', 'ref', 'rows', 'filtered', 'Extra'];
  const table = formatTable(
    columns,
    rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c])))),
    6,
  );
  return `${table}\n(${execute ? `ANALYZE took ${elapsed.toFixed(1)} ms` : 'EXPLAIN only, not executed'})`;
}

async function explainPostgres(db: BenchDb, sql: string, execute: boolean): Promise<string> {
  if (!/^\s*(SELECT|WITH)\b/i.test(sql)) return '(not a SELECT)';
  const rows = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${execute ? '(ANALYZE, BUFFERS)' : ''} ${sql}`);
  return `${rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}${execute ? '' : '\n(EXPLAIN only, not executed)'}`;
}

/**
 * --explain: the plan, with real row counts, of every statement of each scenario's first list() call
 * on a fresh lister, so the service's cached lookups (partition tags, plan choice, domain ids) show too.
 */
export async function explainScenarios(sequelize: Sequelize, db: BenchDb, scenarios: readonly Scenario[]): Promise<void> {
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
      console.log(`\n${condenseSql(sql)}\n${await explainStatement(db, sql)}`);
    }
  }
  const mz = buildMailzuListQuery({ addresses: ['someone@example0.test'], recipientDelimiter: DELIMITER });
  const inlined = mz.replacements.reduce((sql, value) => sql.replace('?', db.escape(value)), mz.sql);
  console.log(`\n=== MailZu shape\n\n${condenseSql(inlined)}\n${await explainStatement(db, inlined, false)}`);
}
