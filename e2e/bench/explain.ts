import type mysql from 'mysql2/promise';
import type { Sequelize } from 'sequelize';
import { formatTable } from './report';

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
 * MariaDB's ANALYZE: runs the statement and prints the plan with the rows really read (r_rows) next
 * to the optimizer's guess (rows). Plain EXPLAIN when `execute` is false (for statements that run for
 * minutes).
 */
export async function explainStatement(conn: mysql.Connection, sql: string, execute = true): Promise<string> {
  if (!/^\s*(SELECT|WITH)\b/i.test(sql)) return '(not a SELECT)';
  const started = performance.now();
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`${execute ? 'ANALYZE' : 'EXPLAIN'} ${sql}`);
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
