import { formatTable, ms, summarize } from './report';
import { VARIANT_LABEL, type RoundResult, type Variant } from './insert-round';

const rate = (r: RoundResult) => r.stored / r.seconds;
const pct = (value: number, base: number) => (base > 0 && Number.isFinite(value) ? `${value >= base ? '+' : ''}${((value / base - 1) * 100).toFixed(1)}%` : '-');

function listedCell(r: RoundResult): string {
  if (!r.listed) return '';
  const lag = r.listed.lagMs === null ? 'NOT all within 30 s' : `all ${ms(r.listed.lagMs)} ms after`;
  return `${r.listed.atStored}/${r.quarantined} at the last store, ${lag}`;
}

/** Prints one database's rounds, then each variant's pooled figures against the rounds without the list index. */
export function printDatabase(kind: 'mariadb' | 'postgres', results: RoundResult[], mails: number): void {
  const label = kind === 'mariadb' ? 'MariaDB' : 'PostgreSQL';
  console.log(`\n${label}: each round, ${mails} mails (SMTP ms: connect to the reply to the end of data; EOD: that reply alone; greeting: the wait for a free child)`);
  console.log(
    formatTable(
      ['round', 'load 1m', 'SMTP p50', 'p95', 'EOD p50', 'greeting p95', 'stored/s', 'db CPU s', 'in aq_list'],
      results.map((r, i) => {
        const total = summarize(r.timings.map((t) => t.totalMs));
        return [
          `${i + 1} ${VARIANT_LABEL[r.variant]}`,
          `${r.load[0].toFixed(2)}-${r.load[1].toFixed(2)}`,
          ms(total.p50),
          ms(total.p95),
          ms(summarize(r.timings.map((t) => t.dataMs)).p50),
          ms(summarize(r.timings.map((t) => t.greetingMs)).p95),
          rate(r).toFixed(2),
          r.dbCpu.toFixed(1),
          listedCell(r),
        ];
      }),
    ),
  );
  for (const r of results) {
    if (r.failed) console.log(`note: a round had ${r.failed} failed sessions, e.g. ${r.firstError}`);
    if (r.stored < r.sent - r.failed) console.log(`note: a round stored ${r.stored} of ${r.sent - r.failed} mails within 120 s`);
    if (r.quarantined < r.stored) console.log(`note: a round had ${r.stored - r.quarantined} mails not quarantined (quar_type not Q)`);
    if (r.indexerErrors) console.log(`note: the indexer failed ${r.indexerErrors} turns, e.g. ${r.firstIndexerError}`);
  }

  const byVariant = new Map<Variant, RoundResult[]>();
  for (const r of results) byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r]);
  const pooled = (rs: RoundResult[]) => {
    const total = summarize(rs.flatMap((r) => r.timings.map((t) => t.totalMs)));
    const stored = rs.reduce((s, r) => s + r.stored, 0);
    return {
      p50: total.p50,
      p95: total.p95,
      rate: stored / rs.reduce((s, r) => s + r.seconds, 0),
      cpuPer100: (100 * rs.reduce((s, r) => s + r.dbCpu, 0)) / Math.max(1, stored),
      spread: rs.length > 1 ? (Math.max(...rs.map(rate)) / Math.min(...rs.map(rate)) - 1) * 100 : NaN,
    };
  };
  const a = byVariant.get('a');
  const base = a ? pooled(a) : undefined;
  console.log(`\n${label}: by variant, rounds pooled${base ? ', against (a)' : ' (no round without the list index to compare with)'}`);
  console.log(
    formatTable(
      ['variant', 'rounds', 'SMTP p50', 'Δ', 'p95', 'Δ', 'stored/s', 'Δ', 'spread', 'db CPU s /100 mails', 'Δ'],
      (['a', 'b', 'c'] as const).flatMap((v) => {
        const rs = byVariant.get(v);
        if (!rs) return [];
        const p = pooled(rs);
        const d = (value: number, of: number | undefined) => (base && v !== 'a' ? pct(value, of ?? NaN) : '');
        return [
          [
            VARIANT_LABEL[v],
            String(rs.length),
            ms(p.p50),
            d(p.p50, base?.p50),
            ms(p.p95),
            d(p.p95, base?.p95),
            p.rate.toFixed(2),
            d(p.rate, base?.rate),
            Number.isFinite(p.spread) ? `${p.spread.toFixed(1)}%` : '-',
            p.cpuPer100.toFixed(2),
            d(p.cpuPer100, base?.cpuPer100),
          ],
        ];
      }),
    ),
  );
  console.log('spread: the fastest round of the variant against its slowest, by stored/s: the noise a difference must beat.');
}
