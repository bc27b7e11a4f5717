import type { HealthCheckReport, HealthComponent, HealthFinding } from '../../shared/health';

/** One health check: what it is about, and how to run it. */
export interface HealthCheck {
  component: HealthComponent;
  title: string;
  target: string;
  run: () => Promise<HealthFinding[]>;
}

/** A run of one check: its report, bounded by the time limit, and the run itself, which may go on. */
interface BoundedRun {
  report: Promise<HealthCheckReport>;
  settled: Promise<void>;
}

/** Runs one check, giving up on it (as a failure) after `timeoutMs`. The report never rejects. */
export function runBounded(check: HealthCheck, timeoutMs: number): BoundedRun {
  const started = Date.now();
  // A check that throws before its first await is a failed run like any other.
  const run = Promise.resolve().then(() => check.run());
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  const report = withTimeout(run, timeoutMs, `the check did not finish within ${timeoutMs} ms`).then(
    (findings) => findings,
    (err: unknown): HealthFinding[] => [{ status: 'fail', message: `the check itself failed: ${(err as Error).message}` }],
  );
  return {
    settled,
    report: report.then((findings) => ({
      component: check.component,
      title: check.title,
      target: check.target,
      status: worst(findings),
      findings,
      durationMs: Date.now() - started,
    })),
  };
}

/** A check's last report, kept for probes that must answer at once. */
export interface CachedCheck {
  /**
   * The last report, at once; a report older than `maxAgeMs` starts a refresh in the background. Only
   * before the first report ever is there something to wait for, and then at most the time limit.
   */
  latest(): Promise<HealthCheckReport>;
}

/**
 * Caches one check with stale-while-revalidate. At most one run is in flight: a run that hit its time
 * limit is reported as failed at once, but no new run starts until it really ends, so a stalled peer
 * never collects a pile of hanging connections from us.
 */
export function cachedCheck(check: HealthCheck, options: { maxAgeMs: number; timeoutMs: number }): CachedCheck {
  let last: { at: number; report: HealthCheckReport } | undefined;
  let first: Promise<HealthCheckReport> | undefined;
  let running = false;

  const refresh = (): Promise<HealthCheckReport> => {
    running = true;
    const { report, settled } = runBounded(check, options.timeoutMs);
    void settled.then(() => {
      running = false;
    });
    return report.then((r) => {
      last = { at: Date.now(), report: r };
      return r;
    });
  };

  return {
    latest() {
      if (!last) {
        first ??= refresh();
        return first;
      }
      if (!running && Date.now() - last.at >= options.maxAgeMs) void refresh();
      return Promise.resolve(last.report);
    },
  };
}

function worst(findings: HealthFinding[]): HealthFinding['status'] {
  if (findings.some((f) => f.status === 'fail')) return 'fail';
  return findings.some((f) => f.status === 'warn') ? 'warn' : 'ok';
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
      // A pending limit must not keep the doctor or a test process alive.
      timer.unref();
    }),
  ]);
}
