import { describe, expect, it } from 'vitest';
import { SessionCache, touchDue, touchIntervalMs, type StoredSession } from './session-cache';

const row = (deadline: number | null = 1_000_000, json = '{"csrfToken":"t"}'): StoredSession => ({ json, deadline });

/** A cache on a clock the test moves, and a load that counts its reads and answers what the test says. */
function setup(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 0;
  const cache = new SessionCache({ ttlMs: options.ttlMs ?? 3_000, maxEntries: options.maxEntries ?? 100, now: () => now });
  let reads = 0;
  let answer: StoredSession | null = row();
  const load = () => {
    reads++;
    return Promise.resolve(answer);
  };
  /** A load that answers only when the test says so, for reads that overlap a write. */
  const held = () => {
    let release: (value: StoredSession | null) => void = () => undefined;
    const promise = new Promise<StoredSession | null>((resolve) => (release = resolve));
    return { load: () => (reads++, promise), release: (value: StoredSession | null) => release(value) };
  };
  return {
    cache,
    load,
    held,
    reads: () => reads,
    answer: (value: StoredSession | null) => (answer = value),
    advance: (ms: number) => (now += ms),
  };
}

describe('the touch interval', () => {
  it('is a minute for the usual idle limits, a tenth of a short one', () => {
    expect(touchIntervalMs(30 * 60_000)).toBe(60_000);
    expect(touchIntervalMs(10 * 60_000)).toBe(60_000);
    expect(touchIntervalMs(5 * 60_000)).toBe(30_000);
    expect(touchIntervalMs(60_000)).toBe(6_000);
  });

  it('writes only a deadline that lags by more than the interval, or one it does not know', () => {
    expect(touchDue(undefined, 100_000, 60_000)).toBe(true);
    expect(touchDue(100_000, 100_000, 60_000)).toBe(false);
    expect(touchDue(40_000, 100_000, 60_000)).toBe(false);
    expect(touchDue(39_999, 100_000, 60_000)).toBe(true);
  });
});

describe('the session cache', () => {
  it('serves a row from memory until it is ttlMs old, then reads it again', async () => {
    const t = setup({ ttlMs: 3_000 });
    expect(await t.cache.read('a', t.load)).toEqual(row());
    t.advance(2_999);
    expect(await t.cache.read('a', t.load)).toEqual(row());
    expect(t.reads()).toBe(1);
    t.advance(1);
    t.answer(row(2_000_000));
    expect(await t.cache.read('a', t.load)).toEqual(row(2_000_000));
    expect(t.reads()).toBe(2);
  });

  it('sends one read for a burst of requests that arrive before the row', async () => {
    const t = setup();
    const first = t.held();
    const burst = [t.cache.read('a', first.load), t.cache.read('a', t.load), t.cache.read('a', t.load)];
    first.release(row());
    expect(await Promise.all(burst)).toEqual([row(), row(), row()]);
    expect(t.reads()).toBe(1);
  });

  it('reads every time with a ttl of 0', async () => {
    const t = setup({ ttlMs: 0 });
    await Promise.all([t.cache.read('a', t.load), t.cache.read('a', t.load)]);
    await t.cache.read('a', t.load);
    expect(t.reads()).toBe(3);
    expect(t.cache.size).toBe(0);
  });

  it('keeps neither a missing row nor a failed read', async () => {
    const t = setup();
    t.answer(null);
    expect(await t.cache.read('a', t.load)).toBeNull();
    const failing = () => Promise.reject(new Error('connection lost'));
    await expect(Promise.all([t.cache.read('b', failing), t.cache.read('b', t.load)])).rejects.toThrow('connection lost');
    t.answer(row());
    expect(await t.cache.read('a', t.load)).toEqual(row());
    expect(await t.cache.read('b', t.load)).toEqual(row());
    expect(t.reads()).toBe(3);
  });

  it('drops a row this process wrote or destroyed, and keeps no read that overlapped the write', async () => {
    const t = setup();
    await t.cache.read('a', t.load);
    t.cache.forget('a');
    expect(t.cache.size).toBe(0);

    // A read sent before a sign-out and answered after it carries the old row: it is handed to the
    // request that asked, but not kept, and a request after the sign-out does not wait for it.
    const before = t.held();
    const overlapping = t.cache.read('a', before.load);
    t.cache.forget('a');
    t.answer(null);
    expect(await t.cache.read('a', t.load)).toBeNull();
    before.release(row());
    expect(await overlapping).toEqual(row());
    expect(t.cache.size).toBe(0);
    expect(await t.cache.read('a', t.load)).toBeNull();
  });

  it('carries a deadline this process moved, and keeps no older read', async () => {
    const t = setup();
    await t.cache.read('a', t.load);
    t.cache.moved('a', 1_060_000);
    expect(t.cache.deadlineOf('a')).toBe(1_060_000);
    expect((await t.cache.read('a', t.load))?.deadline).toBe(1_060_000);

    const before = t.held();
    t.advance(3_000);
    const overlapping = t.cache.read('a', before.load);
    t.cache.moved('a', 1_120_000);
    before.release(row(1_060_000));
    await overlapping;
    expect(t.cache.deadlineOf('a')).toBeUndefined();
  });

  it('holds at most maxEntries rows, dropping the oldest, and drops stale ones as it goes', async () => {
    const t = setup({ ttlMs: 3_000, maxEntries: 3 });
    for (const sid of ['a', 'b', 'c', 'd', 'e']) await t.cache.read(sid, t.load);
    expect(t.cache.size).toBe(3);
    expect(t.cache.deadlineOf('a')).toBeUndefined();
    expect(t.cache.deadlineOf('e')).toBe(1_000_000);

    t.advance(3_000);
    await t.cache.read('f', t.load);
    expect(t.cache.size).toBe(1);
  });
});
