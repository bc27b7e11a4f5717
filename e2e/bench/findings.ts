import { appendFile } from 'node:fs/promises';
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import { createQuarantineLister } from '../../server/amavis/listing';
import type { BenchDb } from './bench-db';
import type { OldPlanCheck } from './compare';
import { captureQueries, condenseSql, explainStatement } from './explain';
import { ms } from './report';
import { DELIMITER, type Measured } from './scenarios';

/**
 * --findings FILE: appends, in Markdown, every scenario over its target with its figures and the plan
 * of its slowest statement (MariaDB's ANALYZE, PostgreSQL's EXPLAIN (ANALYZE, BUFFERS)), every failed
 * scenario and every page that differs from the old plans', for whoever works on the server side.
 */
export async function writeFindings(
  file: string,
  label: string,
  sequelize: Sequelize,
  db: BenchDb,
  measured: Measured[],
  checks: OldPlanCheck[],
  log: (line: string) => void,
): Promise<void> {
  const out: string[] = [
    `\n## ${label}: bench:list run of ${new Date().toISOString()} (load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})\n`,
  ];
  const slow = measured.filter((m) => !m.error && m.timing.p95 > m.scenario.target);
  out.push(slow.length ? `${slow.length} scenario(s) over their target:\n` : 'Every scenario within its target.\n');
  for (const m of slow) {
    log(`  findings: explaining ${m.scenario.name}`);
    out.push(`### SLOW ${m.scenario.name}\n`);
    out.push(
      `p50 ${ms(m.timing.p50)} ms, p95 ${ms(m.timing.p95)} ms, max ${ms(m.timing.max)} ms (n ${m.timing.n}), first call ${ms(m.firstCall)} ms; target p95 ≤ ${m.scenario.target} ms; ${m.pageRows} rows\n`,
    );
    out.push(await explainSlowest(sequelize, db, m));
  }
  for (const m of measured.filter((x) => x.error)) out.push(`### ERROR ${m.scenario.name}\n\n${m.error ?? ''}\n`);
  for (const c of checks.filter((x) => x.verdict === 'MISMATCH' || x.verdict === 'old plan failed')) {
    out.push(
      `### ${c.verdict === 'MISMATCH' ? 'WRONG RESULT? first page differs from the old plans' : 'old plan failed'}: ${c.measured.scenario.name}\n\nquery ${JSON.stringify(c.measured.query)}; ${c.detail ?? ''}\n`,
    );
  }
  const ties = checks.filter((x) => x.verdict === 'same, ties in another order');
  if (ties.length) {
    out.push(
      `Same rows as the old plans, but rows with an equal time (or score and time) in another order (the index breaks ties by aq_list.id, the old plans by amavis's keys): ${ties.map((c) => c.measured.scenario.name).join('; ')}\n`,
    );
  }
  const searches = checks.filter((x) => x.verdict === 'differs (search semantics)');
  if (searches.length) {
    out.push(
      `Searches whose page differs from the old plans' (expected: word-prefix vs substring matching): ${searches.map((c) => `${c.measured.scenario.name} (${c.detail ?? ''})`).join('; ')}\n`,
    );
  }
  await appendFile(file, `${out.join('\n')}\n`);
}

/** Runs the scenario once with its statements captured, times each again, and explains the slowest. */
async function explainSlowest(sequelize: Sequelize, db: BenchDb, m: Measured): Promise<string> {
  const lister = createQuarantineLister(sequelize, { recipientDelimiter: DELIMITER });
  const capture = captureQueries(sequelize);
  try {
    await lister.list(m.scenario.scope, m.query);
  } catch (error) {
    capture.stop();
    return `(the list() call failed: ${(error as Error).message})\n`;
  }
  capture.stop();
  const statements = capture.take().filter((sql) => /^\s*(SELECT|WITH|SET STATEMENT)\b/i.test(sql));
  const timed: Array<{ sql: string; ms: number }> = [];
  for (const sql of statements) {
    const started = performance.now();
    try {
      await db.query(sql);
    } catch {
      // A statement that does not run alone (it needs the listing's session) is timed as 0.
    }
    timed.push({ sql, ms: performance.now() - started });
  }
  timed.sort((a, b) => b.ms - a.ms);
  const worst = timed[0];
  if (!worst) return '(no statement captured)\n';
  const list = timed.map((t) => `- ${ms(t.ms)} ms: \`${condenseSql(t.sql, 160)}\``).join('\n');
  let plan: string;
  try {
    plan = await explainStatement(db, worst.sql);
  } catch (error) {
    plan = `(EXPLAIN failed: ${(error as Error).message})`;
  }
  return `${timed.length} statement(s), each run again alone:\n${list}\n\nslowest, in full:\n\n\`\`\`sql\n${worst.sql}\n\`\`\`\n\n\`\`\`\n${plan}\n\`\`\`\n`;
}
