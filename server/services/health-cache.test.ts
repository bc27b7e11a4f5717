import { describe, expect, it } from 'vitest';
import type { HealthFinding } from '../../shared/health';
import { cachedCheck, type HealthCheck } from './health-cache';

/** A check whose runs the test ends by hand: each run waits until `answer()` is called. */
function scriptedCheck() {
  const runs: Array<(findings: HealthFinding[]) => void> = [];
  const check: HealthCheck = {
    component: 'pdp',
    title: 'scripted',
    target: 'nowhere',
    run: () => new Promise<HealthFinding[]>((resolve) => runs.push(resolve)),
  };
  const answer = (status: HealthFinding['status']) => runs.at(-1)!([{ status, message: status }]);
  return { check, runs, answer };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('cachedCheck', () => {
  it('waits for the first run only, then answers from the last report while a refresh runs', async () => {
    const { check, runs, answer } = scriptedCheck();
    const cached = cachedCheck(check, { maxAgeMs: 0, timeoutMs: 60_000 });
    const first = cached.latest();
    await tick();
    answer('ok');
    expect((await first).status).toBe('ok');

    // Stale: this probe starts a refresh, and gets the last report without waiting for it.
    expect((await cached.latest()).status).toBe('ok');
    await tick();
    expect(runs).toHaveLength(2);
    answer('fail');
    await tick();
    expect((await cached.latest()).status).toBe('fail');
  });

  it('reports a run past its time limit as failed, and starts no second run while it hangs', async () => {
    const { check, runs, answer } = scriptedCheck();
    const cached = cachedCheck(check, { maxAgeMs: 0, timeoutMs: 1 });
    const report = await cached.latest();
    expect(report.status).toBe('fail');
    expect(report.findings[0]?.message).toMatch(/did not finish within 1 ms/);
    for (let i = 0; i < 3; i++) await cached.latest();
    expect(runs).toHaveLength(1);

    // Once the hung run really ends, the next stale probe may start another.
    answer('ok');
    await tick();
    await cached.latest();
    await tick();
    expect(runs).toHaveLength(2);
  });

  it('turns a check that throws into a failed report', async () => {
    const cached = cachedCheck(
      {
        component: 'db',
        title: 'throws',
        target: 'x',
        run: () => {
          throw new Error('boom');
        },
      },
      { maxAgeMs: 10_000, timeoutMs: 1_000 },
    );
    expect((await cached.latest()).findings).toEqual([{ status: 'fail', message: 'the check itself failed: boom' }]);
  });
});
