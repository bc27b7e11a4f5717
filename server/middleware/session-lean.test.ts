import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredSession } from './session-cache';
import { leanSessionReads, signedSessionId, type LeanSessionOptions } from './session-lean';

const IDLE_MS = 30 * 60_000;
const SECRETS = ['first-secret-of-at-least-32-characters', 'older-secret-of-at-least-32-characters'];
const SID = 'abcDEF123-_xyz';
const signed = (sid: string, secret: string) => `s:${signedSessionId(sid, secret)}`;
const cookieOf = (sid: string, secret = SECRETS[0]!) => `aq_session=${encodeURIComponent(signed(sid, secret))}`;

const servers: Array<{ close(): void }> = [];
/** GET /held tells the test it is in (`reached`), then answers once the test calls `release`. */
const held = {
  reached: () => undefined as void,
  release: () => undefined as void,
  entered(): Promise<void> {
    this.reached();
    return new Promise((resolve) => (this.release = resolve));
  },
};
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A row as sign-in stores it: express-session's cookie (with the attributes of `cookie`) and our fields. */
function sessionData(overrides: Partial<session.SessionData> = {}, cookie: Record<string, unknown> = { sameSite: 'lax', secure: false }) {
  return {
    cookie: { originalMaxAge: IDLE_MS, expires: new Date(Date.now() + IDLE_MS), httpOnly: true, path: '/', ...cookie },
    user: { email: 'alice@example.test', addresses: ['alice@example.test'] },
    csrfToken: 'token',
    signedInAt: Date.now(),
    ...overrides,
  };
}

/** An app whose one GET route says what req.session holds; `middleware` loads the session. */
async function serve(middleware: express.RequestHandler): Promise<string> {
  const app = express();
  app.set('trust proxy', true);
  app.use(middleware);
  app.get('/probe', (req, res) => {
    res.json({ sid: req.sessionID ?? null, user: req.session?.user ?? null, frozen: req.session ? Object.isFrozen(req.session) : null });
  });
  app.post('/probe', (_req, res) => res.json({ posted: true }));
  app.get('/held', async (_req, res) => {
    await held.entered();
    res.json({ held: true });
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe`;
}

function leanOnly(options: Partial<Omit<LeanSessionOptions, 'store'>> & { rows: Map<string, StoredSession> }): {
  url: Promise<string>;
  answered: string[];
  touched: Array<{ sid: string; expires: number }>;
} {
  const answered: string[] = [];
  const touched: Array<{ sid: string; expires: number }> = [];
  const lean = leanSessionReads({
    name: 'aq_session',
    secrets: SECRETS,
    touchIntervalMs: 60_000,
    maxHours: 12,
    store: {
      peek: (sid) => options.rows.get(sid),
      touch: (sid, data, done) => {
        touched.push({ sid, expires: new Date(data.cookie.expires!).getTime() });
        done();
      },
    },
    ...options,
  });
  const url = serve((req, res, next) => {
    answered.push(lean(req, res) ? 'lean' : 'fallback');
    next();
  });
  return { url, answered, touched };
}

const fresh = (data = sessionData(), deadline = Date.now() + IDLE_MS - 1_000): StoredSession => ({ json: JSON.stringify(data), deadline });
const withoutExpiry = (cookie: string | null) => cookie?.replace(/Expires=[^;]+/, 'Expires=…');

describe('leanSessionReads', () => {
  it.each<[string, Record<string, unknown>, Record<string, string>]>([
    ['SameSite=Lax over HTTP', { sameSite: 'lax', secure: false }, {}],
    ['SameSite=None; Secure; Partitioned behind an HTTPS proxy', { sameSite: 'none', secure: true, partitioned: true }, { 'x-forwarded-proto': 'https' }],
    ['SameSite=Strict, no path', { sameSite: 'strict', path: undefined }, {}],
  ])('sets the very cookie express-session sets on a read (%s), and gives the same session', async (_, cookie, headers) => {
    const data = sessionData({}, cookie);
    const store = new session.MemoryStore();
    await new Promise<void>((resolve) => store.set(SID, JSON.parse(JSON.stringify(data)) as session.SessionData, () => resolve()));
    const full = await serve(
      session({ name: 'aq_session', secret: SECRETS, store, resave: false, saveUninitialized: false, rolling: true, unset: 'keep', cookie: { maxAge: IDLE_MS } }),
    );
    const lean = leanOnly({ rows: new Map([[SID, fresh(data)]]) });
    const ask = (url: string) => fetch(url, { headers: { cookie: cookieOf(SID), ...headers } });
    const [a, b] = [await ask(full), await ask(await lean.url)];
    expect(lean.answered).toEqual(['lean']);
    expect(a.headers.get('set-cookie')).toContain('Expires=');
    expect(withoutExpiry(b.headers.get('set-cookie'))).toBe(withoutExpiry(a.headers.get('set-cookie')));
    const expiry = (r: Response) => Date.parse(/Expires=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1] ?? '');
    expect(Math.abs(expiry(a) - expiry(b))).toBeLessThanOrEqual(2_000);
    const [bodyA, bodyB] = [(await a.json()) as Record<string, unknown>, (await b.json()) as Record<string, unknown>];
    expect({ ...bodyB, frozen: undefined }).toEqual({ ...bodyA, frozen: undefined });
    expect(bodyB.frozen).toBe(true);
  });

  it('accepts a cookie signed with an older secret, and signs the new one with the first, as express-session does', async () => {
    const lean = leanOnly({ rows: new Map([[SID, fresh()]]) });
    const answer = await fetch(await lean.url, { headers: { cookie: cookieOf(SID, SECRETS[1]) } });
    expect(lean.answered).toEqual(['lean']);
    expect(answer.headers.get('set-cookie')).toContain(cookieOf(SID, SECRETS[0]));
  });

  it('leaves to express-session every request it cannot answer exactly as express-session would', async () => {
    const now = Date.now();
    const rows = new Map<string, StoredSession>([
      [SID, fresh()],
      ['idle-expired', fresh(sessionData(), now - 1)],
      ['touch-due', fresh(sessionData(), now + IDLE_MS - 120_000)],
      ['too-old', fresh(sessionData({ signedInAt: now - 13 * 3_600_000 }))],
      // Within a minute of the absolute lifetime: express-session's path ends it, never this one.
      ['nearly-too-old', fresh(sessionData({ signedInAt: now - 12 * 3_600_000 + 30_000 }))],
      ['signed-out', fresh({ cookie: sessionData().cookie } as ReturnType<typeof sessionData>)],
      ['no-deadline', { json: JSON.stringify(sessionData()), deadline: null }],
      ['unreadable', { json: '{', deadline: now + IDLE_MS }],
    ]);
    const lean = leanOnly({ rows });
    const url = await lean.url;
    const cases: Array<[string, RequestInit]> = [
      ['a POST', { method: 'POST', headers: { cookie: cookieOf(SID) } }],
      ['no cookie', {}],
      ['a forged signature', { headers: { cookie: `aq_session=${encodeURIComponent(`s:${SID}.AAAA`)}` } }],
      ['an unsigned id', { headers: { cookie: `aq_session=${SID}` } }],
      ['two session cookies', { headers: { cookie: `${cookieOf(SID)}; ${cookieOf('other')}` } }],
      // The cookie module takes the first of two, whatever the blanks; this path leaves both to it.
      ['two session cookies, the first without a blank', { headers: { cookie: `a=1;${cookieOf('other')}; ${cookieOf(SID)}` } }],
      ['the name inside another cookie’s name', { headers: { cookie: `x${cookieOf(SID)}` } }],
      ['a quoted value', { headers: { cookie: `aq_session="${encodeURIComponent(signed(SID, SECRETS[0]!))}"` } }],
      ['a row not in the cache', { headers: { cookie: cookieOf('unknown') } }],
      ...['idle-expired', 'touch-due', 'too-old', 'nearly-too-old', 'signed-out', 'no-deadline', 'unreadable'].map((sid): [string, RequestInit] => [
        sid,
        { headers: { cookie: cookieOf(sid) } },
      ]),
    ];
    for (const [, init] of cases) await fetch(url, init);
    expect(lean.answered).toEqual(cases.map(() => 'fallback'));
    // And the cookie among others, in any place, is read.
    await fetch(url, { headers: { cookie: `theme=dark; ${cookieOf(SID)}; lang=de` } });
    expect(lean.answered.at(-1)).toBe('lean');
  });

  it('still moves the idle deadline after the answer when the request took long enough to make that due', async () => {
    const now = Date.now();
    // Not due on arrival (59 s behind, the interval is 60 s); due once the request has taken 5 s more.
    const rows = new Map([[SID, fresh(sessionData(), now + IDLE_MS - 59_000)]]);
    const lean = leanOnly({ rows });
    const url = (await lean.url).replace('/probe', '/held');
    const inRoute = new Promise<void>((resolve) => (held.reached = resolve));
    const answer = fetch(url, { headers: { cookie: cookieOf(SID) } });
    await inRoute;
    expect(lean.answered).toEqual(['lean']);
    expect(lean.touched).toEqual([]);
    const later = vi.spyOn(Date, 'now').mockReturnValue(now + 5_000);
    try {
      held.release();
      await (await answer).arrayBuffer();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      later.mockRestore();
    }
    expect(lean.touched).toEqual([{ sid: SID, expires: now + 5_000 + IDLE_MS }]);
    // A quick request leaves the deadline alone.
    await fetch(await lean.url, { headers: { cookie: cookieOf(SID) } });
    expect(lean.touched).toHaveLength(1);
  });

  it('leaves a Secure cookie on a plain-HTTP request to express-session, which sets none', async () => {
    const lean = leanOnly({ rows: new Map([[SID, fresh(sessionData({}, { sameSite: 'strict', secure: true }))]]) });
    await fetch(await lean.url, { headers: { cookie: cookieOf(SID) } });
    expect(lean.answered).toEqual(['fallback']);
  });
});
