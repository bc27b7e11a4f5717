import { describe, expect, it } from 'vitest';
import { createSharedReads } from './shared-reads';

/** A read the test ends by hand; `log` records each run's start, in order. */
function scriptedReads() {
  const runs: Array<{ answer: (value: string) => void; fail: (err: Error) => void; signal: AbortSignal }> = [];
  const read = (signal: AbortSignal) =>
    new Promise<string>((answer, fail) => {
      runs.push({ answer, fail, signal });
    });
  return { runs, read };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A run under way, and the next run of its key given up by its only caller before it could start. */
async function runningWithAbandonedNext() {
  const shared = createSharedReads();
  const { runs, read } = scriptedReads();
  const first = shared.run('k', undefined, read);
  await tick();
  const gone = new AbortController();
  const left = shared.run('k', gone.signal, read);
  gone.abort();
  await expect(left).rejects.toThrow('went away');
  return { shared, runs, read, first };
}

describe('createSharedReads', () => {
  it('never gives a caller a run that started before it arrived: it waits for the next run, which serves everyone who came meanwhile', async () => {
    const shared = createSharedReads();
    const { runs, read } = scriptedReads();
    const first = shared.run('k', undefined, read);
    await tick();
    expect(runs).toHaveLength(1);
    // Three callers arrive while the first run is under way: they share one next run, not the first.
    const later = [shared.run('k', undefined, read), shared.run('k', undefined, read), shared.run('k', undefined, read)];
    await tick();
    expect(runs).toHaveLength(1);
    runs[0]!.answer('before');
    expect(await first).toBe('before');
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.answer('after');
    expect(await Promise.all(later)).toEqual(['after', 'after', 'after']);
    expect(shared.size).toBe(0);
  });

  it('runs different keys side by side, and starts afresh once a key has settled', async () => {
    const shared = createSharedReads();
    const { runs, read } = scriptedReads();
    const a = shared.run('a', undefined, read);
    const b = shared.run('b', undefined, read);
    await tick();
    expect(runs).toHaveLength(2);
    runs[0]!.answer('A');
    runs[1]!.answer('B');
    expect([await a, await b]).toEqual(['A', 'B']);
    const again = shared.run('a', undefined, read);
    await tick();
    expect(runs).toHaveLength(3);
    runs[2]!.answer('A2');
    expect(await again).toBe('A2');
  });

  it('gives every caller of a run its error, and the next run still happens', async () => {
    const shared = createSharedReads();
    const { runs, read } = scriptedReads();
    const first = shared.run('k', undefined, read);
    await tick();
    const waiting = [shared.run('k', undefined, read), shared.run('k', undefined, read)];
    runs[0]!.fail(new Error('database gone'));
    await expect(first).rejects.toThrow('database gone');
    await tick();
    runs[1]!.fail(new Error('still gone'));
    for (const w of waiting) await expect(w).rejects.toThrow('still gone');
    expect(shared.size).toBe(0);
  });

  it('stops a run only when every caller waiting for it has gone away', async () => {
    const shared = createSharedReads();
    const { runs, read } = scriptedReads();
    const one = new AbortController();
    const two = new AbortController();
    const p1 = shared.run('k', one.signal, read);
    const p2 = shared.run('k', two.signal, read);
    await tick();
    // The second caller came after the first run started: it waits for the next one.
    expect(runs).toHaveLength(1);
    const three = new AbortController();
    const p3 = shared.run('k', three.signal, read);
    two.abort();
    await expect(p2).rejects.toThrow('went away');
    one.abort();
    await expect(p1).rejects.toThrow('went away');
    // The first run had one caller, now gone: it is stopped.
    expect(runs[0]!.signal.aborted).toBe(true);
    runs[0]!.fail(new Error('stopped'));
    await tick();
    // The next run still has a caller (the third): it runs, and is not stopped.
    expect(runs).toHaveLength(2);
    expect(runs[1]!.signal.aborted).toBe(false);
    runs[1]!.answer('for the third');
    expect(await p3).toBe('for the third');
    expect(shared.size).toBe(0);
  });

  it('does not start a waiting run whose callers have all gone away, and starts the one after it for whoever comes next', async () => {
    const { shared, runs, read, first } = await runningWithAbandonedNext();
    runs[0]!.answer('first');
    await first;
    await tick();
    // The abandoned next run never reached the reader.
    expect(runs).toHaveLength(1);
    const fresh = shared.run('k', undefined, read);
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.answer('fresh');
    expect(await fresh).toBe('fresh');
  });

  it('gives a newcomer a run of its own when the waiting run it would join has been given up by all its callers', async () => {
    const { shared, runs, read, first } = await runningWithAbandonedNext();
    const newcomer = shared.run('k', undefined, read);
    runs[0]!.answer('first');
    await first;
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.answer('for the newcomer');
    expect(await newcomer).toBe('for the newcomer');
    expect(shared.size).toBe(0);
  });

  it('refuses a caller that has already gone away, without running anything', async () => {
    const shared = createSharedReads();
    const { runs, read } = scriptedReads();
    await expect(shared.run('k', AbortSignal.abort(), read)).rejects.toThrow('went away');
    expect(runs).toHaveLength(0);
    expect(shared.size).toBe(0);
  });
});
