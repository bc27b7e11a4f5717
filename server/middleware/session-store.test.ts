import type { SessionData } from 'express-session';
import { describe, expect, it, vi } from 'vitest';
import type { StoredSession } from './session-cache';
import { CachedSessionStore, sessionFrom, type SessionRows } from './session-store';

const IDLE_MS = 30 * 60_000;
const INTERVAL_MS = 60_000;

/** The database store, played by a map that counts what it is asked. */
function standIn() {
  const rows = new Map<string, StoredSession>();
  const calls = { read: 0, set: [] as unknown[], destroy: 0, touch: 0 };
  let failTouch = false;
  const db: SessionRows = {
    read: (sid) => (calls.read++, Promise.resolve(rows.get(sid) ?? null)),
    set: (sid, data, done) => {
      calls.set.push(JSON.parse(JSON.stringify(data)));
      rows.set(sid, { json: JSON.stringify(data), deadline: Date.now() + IDLE_MS });
      done?.();
    },
    destroy: (sid, done) => {
      calls.destroy++;
      rows.delete(sid);
      done?.();
    },
    touch: (sid, data: SessionData, done) => {
      calls.touch++;
      if (failTouch) return done?.(new Error('connection lost'));
      const row = rows.get(sid);
      if (row) rows.set(sid, { ...row, deadline: new Date(data.cookie.expires!).getTime() });
      done?.(undefined);
    },
  };
  return { rows, calls, db, failTouch: () => (failTouch = true) };
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
const get = (store: CachedSessionStore, sid: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) => store.get(sid, (err, data) => (err ? reject(asError(err)) : resolve(data))));
const done = (call: (callback: (err?: unknown) => void) => void) => new Promise<void>((resolve, reject) => call((err) => (err ? reject(asError(err)) : resolve())));
/** What express-session hands to touch() at the end of a request: the loaded session, its cookie rolled on. */
const rolled = (data: SessionData | null | undefined): SessionData => ({ ...data!, cookie: { ...data!.cookie, expires: new Date(Date.now() + IDLE_MS) } });
/** One request that changes nothing: the session is loaded, and touched at the end. */
const request = async (store: CachedSessionStore, sid: string) => {
  const data = await get(store, sid);
  await done((cb) => store.touch(sid, rolled(data), cb));
};

function setup(cacheMs = 60_000) {
  const db = standIn();
  const store = new CachedSessionStore(db.db, { cacheMs, touchIntervalMs: INTERVAL_MS });
  /** A session as if the deadline was last moved `ago` ms ago. */
  const stored = (sid: string, ago: number) => db.rows.set(sid, { json: JSON.stringify({ cookie: {}, csrfToken: 't' }), deadline: Date.now() + IDLE_MS - ago });
  return { ...db, store, stored };
}

describe('sessionFrom', () => {
  it('carries the stored deadline, and marks a session whose deadline has passed', () => {
    expect(sessionFrom({ json: '{"csrfToken":"t"}', deadline: 2_000 }, 1_000)).toEqual({ csrfToken: 't', storedDeadline: 2_000 });
    expect(sessionFrom({ json: '{"csrfToken":"t"}', deadline: 1_000 }, 1_000)).toEqual({ csrfToken: 't', storedDeadline: 1_000, idleExpired: true });
    expect(sessionFrom({ json: '{"csrfToken":"t"}', deadline: null }, 1_000)).toEqual({ csrfToken: 't' });
    expect(sessionFrom({ json: '{"csrf', deadline: 2_000 }, 1_000)).toBeNull();
  });
});

describe('the cached session store', () => {
  it('writes nothing for requests within the touch interval, and once after it', async () => {
    const t = setup();
    t.stored('a', 30_000);
    for (let i = 0; i < 5; i++) await request(t.store, 'a');
    expect(t.calls.touch).toBe(0);

    t.stored('b', INTERVAL_MS + 5_000);
    await request(t.store, 'b');
    expect(t.calls.touch).toBe(1);
    expect(t.rows.get('b')!.deadline).toBeGreaterThan(Date.now() + IDLE_MS - 5_000);
  });

  it('writes once for a burst that loaded the same lagging deadline', async () => {
    const t = setup();
    t.stored('a', INTERVAL_MS + 5_000);
    const burst = await Promise.all([get(t.store, 'a'), get(t.store, 'a'), get(t.store, 'a')]);
    await Promise.all(burst.map((data) => done((cb) => t.store.touch('a', rolled(data), cb))));
    expect(t.calls).toMatchObject({ read: 1, touch: 1 });
  });

  it('does not write again the deadline of a session this request created and saved (a sign-in)', async () => {
    const t = setup();
    // Not loaded from the store (no storedDeadline): the request's own save wrote its deadline.
    await done((cb) => t.store.touch('a', rolled({ cookie: {} } as SessionData), cb));
    expect(t.calls.touch).toBe(0);
  });

  it('writes a deadline it does not know, of a session it loaded', async () => {
    const t = setup();
    await done((cb) => t.store.touch('a', rolled({ cookie: {}, storedDeadline: null } as unknown as SessionData), cb));
    expect(t.calls.touch).toBe(1);
  });

  it('forgets its copy when a write of the deadline fails, so the next request reads the row', async () => {
    const t = setup();
    t.stored('a', INTERVAL_MS + 5_000);
    const data = await get(t.store, 'a');
    t.failTouch();
    await expect(done((cb) => t.store.touch('a', rolled(data), cb))).rejects.toThrow('connection lost');
    await get(t.store, 'a');
    expect(t.calls.read).toBe(2);
  });

  it('ends a cached session once its stored deadline passes', async () => {
    // Only the wall clock moves: the cache's own (monotonic) clock keeps the entry fresh.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t = setup();
      t.rows.set('a', { json: '{"cookie":{}}', deadline: Date.now() + 1_000 });
      expect((await get(t.store, 'a'))?.idleExpired).toBeUndefined();
      vi.setSystemTime(Date.now() + 1_000);
      expect((await get(t.store, 'a'))?.idleExpired).toBe(true);
      expect(t.calls.read).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('saves a change without what the store said on load, and reads the row again after it', async () => {
    const t = setup();
    t.stored('a', 0);
    const data = await get(t.store, 'a');
    expect(data?.storedDeadline).toBeTypeOf('number');
    await done((cb) => t.store.set('a', { ...data!, idleExpired: true, csrfToken: 'u' }, cb));
    expect(t.calls.set).toEqual([{ cookie: {}, csrfToken: 'u' }]);
    expect((await get(t.store, 'a'))?.csrfToken).toBe('u');
    expect(t.calls.read).toBe(2);
  });

  it('refuses a destroyed session at once', async () => {
    const t = setup();
    t.stored('a', 0);
    await get(t.store, 'a');
    await done((cb) => t.store.destroy('a', cb));
    expect(await get(t.store, 'a')).toBeNull();
  });

  it('reads the row for every request with a cache of 0', async () => {
    const t = setup(0);
    t.stored('a', 0);
    await Promise.all([get(t.store, 'a'), get(t.store, 'a')]);
    expect(t.calls.read).toBe(2);
  });
});
