import { tiesOnly, type OldPlanCheck } from './compare';
import { formatTable, ms } from './report';
import type { Measured } from './scenarios';

/** One database's run, for the side-by-side table. */
export interface DatabaseRun {
  url: string;
  label: string;
  measured: Measured[];
  checks: OldPlanCheck[];
}

const verdict = (m: Measured) => (m.error ? 'FAILED' : m.timing.p95 <= m.scenario.target ? 'PASS' : 'MISS');

/** The question as printed: the name's tail after the scope (it carries the sender, the page reached). */
const questionOf = (m: Measured) => m.scenario.name.slice(m.scenario.scopeLabel.length + 2) || m.scenario.question;

/** One database's figures, one block of rows per scope, with the old plans' check beside them. */
export function formatMatrix(measured: Measured[], checks: OldPlanCheck[]): string {
  const checkOf = new Map(checks.map((c) => [c.measured, c]));
  const rows: string[][] = [];
  let scope = '';
  for (const m of measured) {
    const label = m.scenario.scopeLabel;
    if (label !== scope) {
      scope = label;
      rows.push([label, '', '', '', '', '', '', '', '', '', '']);
    }
    const c = checkOf.get(m);
    rows.push([
      `  ${m.error ? `${questionOf(m)}: FAILED, ${m.error}` : questionOf(m)}`,
      String(m.pageRows) + (m.count ? ` (count ${m.count.value}${m.count.capped ? '+' : ''})` : ''),
      ms(m.firstCall),
      String(m.timing.n),
      ms(m.timing.p50),
      ms(m.timing.p95),
      ms(m.timing.max),
      `≤ ${m.scenario.target}`,
      verdict(m),
      c?.oldMs === undefined ? '-' : `${c.timedOut ? '> ' : ''}${ms(c.oldMs)}`,
      c ? c.verdict : '-',
    ]);
  }
  const table = formatTable(['scenario', 'rows', 'first', 'n', 'p50 ms', 'p95 ms', 'max ms', 'target', '', 'old ms', 'vs old'], rows);
  const missed = measured.filter((m) => verdict(m) !== 'PASS');
  const wrong = checks.filter((c) => c.verdict === 'MISMATCH');
  const summary = [
    `${measured.length - missed.length} of ${measured.length} scenarios within their target${missed.length ? `; MISSED: ${missed.map((m) => m.scenario.name).join('; ')}` : ''}`,
  ];
  if (wrong.length)
    summary.push(`!!! ${wrong.length} first page(s) DIFFER from the old plans': ${wrong.map((c) => `${c.measured.scenario.name} (${c.detail ?? ''})`).join('; ')}`);
  return `${table}\n\n${summary.join('\n')}`;
}

/** Whether every database listed the same page: yes, the same rows but equal times in another order, or NO. */
function samePage(first: Measured, others: Array<Measured | undefined>): string {
  if (others.every((o) => o?.pageKeys.join() === first.pageKeys.join())) return 'yes';
  const ties = others.every((o) => o && (o.pageKeys.join() === first.pageKeys.join() || tiesOnly(first, o.pageKeys, o.pageSortKeys)));
  return ties ? 'yes, ties in another order' : 'NO';
}

/** Both databases' p50 and p95 per scenario, side by side, and whether both listed the same rows. */
export function printSideBySide(all: DatabaseRun[]): void {
  const first = all[0]?.measured ?? [];
  const header = ['scenario', ...all.flatMap((r) => [`${r.label} p50`, 'p95', '']), 'target', 'same rows'];
  const rows = first.map((m, i) => [
    m.scenario.name,
    ...all.flatMap((r) => {
      const other = r.measured[i];
      return !other || other.error ? ['failed', '-', ''] : [ms(other.timing.p50), ms(other.timing.p95), verdict(other)];
    }),
    `≤ ${m.scenario.target}`,
    samePage(
      m,
      all.map((r) => r.measured[i]),
    ),
  ]);
  const mismatch = all.some((r) => r.measured.some((m, i) => m.scenario.name !== first[i]?.scenario.name));
  console.log(`\nside by side, ms of the list() call${mismatch ? ' (note: the databases picked different subjects or senders: their data differ)' : ''}\n`);
  console.log(formatTable(header, rows));
}
