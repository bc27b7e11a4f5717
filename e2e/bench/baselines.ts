import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { BenchDb } from './bench-db';
import { mailzuSql, modoboaSql } from './baseline-queries';
import { formatTable, ms } from './report';
import type { Measured } from './scenarios';

/** One run of a baseline statement: its time and rows, or that it hit the statement timeout. */
export interface BaselineRun {
  ms: number;
  rows: number;
  timedOut: boolean;
  error?: string;
}

export interface BaselineRow {
  scenario: string;
  ours: Measured;
  mailzu?: BaselineRun;
  modoboa?: BaselineRun;
}

/**
 * Runs the statement and reads every row it returns, as MailZu and modoboa do, without keeping them
 * (a super user's list is a million rows): MariaDB streams them (mysql2's row events), PostgreSQL
 * sends them with COPY (SELECT …) TO STDOUT, which runs the SELECT's own plan. The server stops the
 * statement after `timeoutMs` (max_statement_time, statement_timeout).
 */
export async function runStreamed(db: BenchDb, sql: string, timeoutMs: number): Promise<BaselineRun> {
  const started = performance.now();
  const done = (rows: number, timedOut = false, error?: string): BaselineRun => ({ ms: performance.now() - started, rows, timedOut, ...(error ? { error } : {}) });
  if (db.kind === 'mariadb') {
    const conn = (db.raw as mysql.Connection & { connection: { query(sql: string): NodeJS.EventEmitter } }).connection;
    return new Promise((resolve) => {
      let rows = 0;
      conn
        .query(`SET STATEMENT max_statement_time = ${timeoutMs / 1000} FOR ${sql}`)
        .on('result', () => rows++)
        .on('error', (error: Error & { errno?: number }) => resolve(error.errno === 1969 ? done(rows, true) : done(rows, false, error.message)))
        .on('end', () => resolve(done(rows)));
    });
  }
  const client = db.raw as pg.Client;
  await client.query(`SET statement_timeout = ${Math.round(timeoutMs)}`);
  try {
    let rows = 0;
    const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT`));
    for await (const chunk of stream as AsyncIterable<Buffer>) for (const byte of chunk) if (byte === 10) rows++;
    return done(rows);
  } catch (error) {
    const e = error as Error & { code?: string };
    return e.code === '57014' ? done(0, true) : done(0, false, e.message);
  } finally {
    await client.query('SET statement_timeout = 0');
  }
}

/**
 * MailZu's and modoboa's statements for every scenario that has a baseline, once each (a page 20 or a
 * count is the same statement as the first page for them, so they are not run again).
 */
export async function timeBaselines(db: BenchDb, measured: Measured[], timeoutMs: number, log: (line: string) => void): Promise<BaselineRow[]> {
  const escape = (v: unknown) => db.escape(v);
  const out: BaselineRow[] = [];
  for (const m of measured) {
    const b = m.scenario.baseline;
    if (!b || m.error) continue;
    const question = typeof b.question === 'function' ? b.question(m.query) : b.question;
    const row: BaselineRow = { scenario: m.scenario.name, ours: m };
    const mz = mailzuSql(db.kind, b.scope, question, escape);
    if (mz) row.mailzu = await runStreamed(db, mz, timeoutMs);
    row.modoboa = await runStreamed(db, modoboaSql(db.kind, b.scope, question, escape), timeoutMs);
    log(`  baselines, ${m.scenario.name}: MailZu ${show(row.mailzu, timeoutMs)}, modoboa ${show(row.modoboa, timeoutMs)} ms`);
    out.push(row);
  }
  return out;
}

function show(run: BaselineRun | undefined, timeoutMs: number): string {
  if (!run) return 'n/a';
  if (run.error) return `error: ${run.error.split('\n')[0] ?? ''}`;
  return run.timedOut ? `> ${ms(timeoutMs)}` : ms(run.ms);
}

/** The baselines next to our p50, with the ratio. */
export function formatBaselines(rows: BaselineRow[], timeoutMs: number): string {
  const ratio = (run: BaselineRun | undefined, ours: number) => {
    if (!run || run.error || !(ours > 0)) return '-';
    return `${run.timedOut ? '> ' : ''}${Math.round((run.timedOut ? timeoutMs : run.ms) / ours).toLocaleString('en-US')}×`;
  };
  return formatTable(
    ['scenario', 'ours p50', 'MailZu ms', 'rows', '×ours', 'modoboa ms', 'rows', '×ours'],
    rows.map((r) => [
      r.scenario,
      ms(r.ours.timing.p50),
      show(r.mailzu, timeoutMs),
      r.mailzu && !r.mailzu.timedOut && !r.mailzu.error ? r.mailzu.rows.toLocaleString('en-US') : '-',
      ratio(r.mailzu, r.ours.timing.p50),
      show(r.modoboa, timeoutMs),
      r.modoboa && !r.modoboa.timedOut && !r.modoboa.error ? r.modoboa.rows.toLocaleString('en-US') : '-',
      ratio(r.modoboa, r.ours.timing.p50),
    ]),
  );
}
