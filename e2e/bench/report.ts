/** Timing summaries and plain-text tables for the benchmark's output. */

export interface Timing {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

/**
 * Runs `fn` `warmups` times unmeasured, then up to `runs` times, and returns each run's milliseconds.
 * Once `budgetMs` is spent it stops early (after at least 5 runs): a 2-second query need not run 50 times.
 */
export async function timeRuns(fn: () => Promise<unknown>, runs: number, warmups: number, budgetMs = Infinity): Promise<number[]> {
  for (let i = 0; i < warmups; i++) await fn();
  const samples: number[] = [];
  const begun = performance.now();
  for (let i = 0; i < runs; i++) {
    if (samples.length >= 5 && performance.now() - begun > budgetMs) break;
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Nearest-rank percentiles of millisecond samples. */
export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { n: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted.at(-1) ?? NaN };
}

/** Formats milliseconds with about three significant digits. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 1000) return `${Math.round(value).toLocaleString('en-US')}`;
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A left-aligned first column and right-aligned others, separated by two spaces. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftColumns = 1): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < leftColumns || c === cells.length - 1 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
