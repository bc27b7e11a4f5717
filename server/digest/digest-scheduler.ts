import type { Logger } from '../logger';
import type { DigestRunner } from './digest-run';

/** Runs the due digests every interval inside the server (AQ_DIGEST_INTERVAL_MS); the advisory lock lets one instance send at a time. */
export interface DigestScheduler {
  start(): void;
  stop(): Promise<void>;
}

/** Creates the scheduler; start() runs the first turn after one interval. */
export function createDigestScheduler(runner: DigestRunner, options: { intervalMs: number; logger: Logger }): DigestScheduler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const tick = () => {
    if (stopped) return;
    running = runner
      .runDue()
      .then((report) => {
        if (report && (report.sent.length || report.failed.length || report.unknown.length || report.abandoned)) {
          options.logger.info(
            { sent: report.sent.length, failed: report.failed.length, unknown: report.unknown.length, abandoned: report.abandoned },
            'digest: run finished',
          );
        }
      })
      .catch((err: unknown) => options.logger.error({ err: (err as Error).message }, 'digest: this run failed; the next one retries'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  return {
    start() {
      if (!stopped || options.intervalMs <= 0) return;
      stopped = false;
      // The first run after one interval: a restart loop must not become a mail loop.
      timer = setTimeout(tick, options.intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
