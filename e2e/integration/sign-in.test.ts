import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../shared/session';
import { ApiSession, bodyOf, errorOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/server';
import { stackCtl, stackEnv } from '../support/stack';

// Sign-in checks the password against the real Dovecot; sessions live in the real database (MariaDB or PostgreSQL).
describe('sign-in and sessions', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Behind one trusted proxy hop: failed sign-ins come "from" addresses of their own, because the
    // counters are shared in the database by every test server, and 127.0.0.1 must stay unthrottled.
    server = await startTestServer({ ...ROLE_ENV, AQ_TRUST_PROXY: '1' });
  });
  /** A fresh client address per run (198.18.0.0/15, the benchmarking range). */
  const address = () => `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
  const signInFrom = (base: string, from: string, username: string, password: string) =>
    new ApiSession(base).request('POST', '/session', { username, password }, { 'X-Forwarded-For': from });
  afterAll(() => server.close());

  const sessionRow = (sid: string) => server.context.appModels.Session.findByPk(sid);
  const sidOf = (session: ApiSession) =>
    decodeURIComponent(session.cookie?.split('=')[1] ?? '')
      .replace(/^s:/, '')
      .split('.')[0] ?? '';

  it('signs alice in over STARTTLS and answers her identity and a CSRF token', async () => {
    const session = new ApiSession(server.url);
    const res = await session.signIn(USERS.alice.email, USERS.alice.password);
    expect(res.status).toBe(200);
    const body = await bodyOf<SessionResponse>(res);
    expect(body.user).toEqual({ email: 'alice@example.test', role: 'user', addresses: ['alice@example.test'], domains: [] });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(JSON.stringify(body)).not.toContain(USERS.alice.password);
  });

  it('signs alice in over implicit TLS', async () => {
    const tlsServer = await startTestServer({ ...ROLE_ENV, AQ_IMAP_TLS: 'tls', AQ_IMAP_PORT: stackEnv().AQ_IMAP_TLS_PORT });
    try {
      const res = await new ApiSession(tlsServer.url).signIn(USERS.alice.email, USERS.alice.password);
      expect(res.status).toBe(200);
    } finally {
      await tlsServer.close();
    }
  });

  it('sets the session cookie httpOnly, SameSite=Strict, with the idle lifetime', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const cookie = session.setCookieHeader ?? '';
    expect(cookie).toMatch(/^aq_session=/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).toMatch(/; Path=\//);
    // AQ_COOKIE_SECURE=auto: plain HTTP here, so not Secure; behind TLS it would be.
    expect(cookie).not.toMatch(/; Secure/i);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
    expect(expires - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(30 * 60_000 + 1_000);
    const row = await sessionRow(sidOf(session));
    expect(row).not.toBeNull();
    expect(String(row?.get('data'))).not.toContain(USERS.alice.password);
  });

  it('appends the default domain to a bare username, and refuses the master-user separator', async () => {
    const bare = await new ApiSession(server.url).signIn('alice', USERS.alice.password);
    expect(bare.status).toBe(200);
    expect((await bodyOf<SessionResponse>(bare)).user.email).toBe('alice@example.test');
    const master = await new ApiSession(server.url).signIn('alice@example.test*admin@example.test', USERS.admin.password);
    expect(master.status).toBe(400);
    expect((await errorOf(master)).code).toBe('validation_failed');
  });

  it('gives the same 401 for a wrong password and an unknown user', async () => {
    const wrong = await signInFrom(server.url, address(), USERS.alice.email, 'not-her-password');
    const unknown = await signInFrom(server.url, address(), 'nobody@example.test', 'whatever');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await errorOf(wrong), await errorOf(unknown)];
    expect(a.code).toBe('invalid_credentials');
    expect({ code: a.code, message: a.message }).toEqual({ code: b.code, message: b.message });
  });

  it('gives roles from the configuration', async () => {
    const admin = await bodyOf<SessionResponse>(await new ApiSession(server.url).signIn(USERS.admin.email, USERS.admin.password));
    expect(admin.user).toMatchObject({ role: 'domain_admin', domains: ['example.test'] });
    const root = await bodyOf<SessionResponse>(await new ApiSession(server.url).signIn(USERS.super.email, USERS.super.password));
    expect(root.user.role).toBe('super');
  });

  it('answers GET /api/session with the session, or 401 without one', async () => {
    const session = await signedIn(server.url, USERS.bob.email, USERS.bob.password);
    const res = await session.get('/session');
    expect(res.status).toBe(200);
    expect((await bodyOf<SessionResponse>(res)).user.email).toBe('bob@example.test');
    const anonymous = await new ApiSession(server.url).get('/session');
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe('unauthorized');
  });

  it('issues a new session id at sign-in', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const before = sidOf(session);
    await session.signIn(USERS.alice.email, USERS.alice.password);
    expect(sidOf(session)).not.toBe(before);
    expect(await sessionRow(before)).toBeNull();
  });

  it('logs out by destroying the session in the store', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const sid = sidOf(session);
    expect(await sessionRow(sid)).not.toBeNull();
    const res = await session.request('DELETE', '/session');
    expect(res.status).toBe(204);
    expect(await sessionRow(sid)).toBeNull();
    expect((await session.get('/session')).status).toBe(401);
  });

  it('refuses state changes without the CSRF token, and bodies that are not JSON', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const noToken = await session.request('DELETE', '/session', undefined, { 'X-CSRF-Token': 'forged' });
    expect(noToken.status).toBe(403);
    expect((await errorOf(noToken)).code).toBe('csrf_failed');
    // A cross-site HTML form can only send urlencoded, multipart or text/plain bodies.
    const form = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=alice%40example.test&password=alice-pw',
    });
    expect(form.status).toBe(415);
    expect((await session.get('/session')).status).toBe(200);
  });

  it('ends a session after its absolute lifetime, even when it is active', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const row = await sessionRow(sidOf(session));
    const data = JSON.parse(String(row?.get('data'))) as Record<string, unknown>;
    data.signedInAt = Date.now() - 13 * 3_600_000;
    await row?.update({ data: JSON.stringify(data) });
    const res = await session.get('/session');
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('session_expired');
    expect(await sessionRow(sidOf(session))).toBeNull();
  });

  it('accepts sessions signed with an older secret after rotation, from the shared store', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const rotated = await startTestServer({ ...ROLE_ENV, AQ_SESSION_SECRET: `new-secret-${'z'.repeat(32)},test-session-secret-0123456789abcdef0123456789` });
    try {
      const other = new ApiSession(rotated.url);
      other.cookie = session.cookie;
      const res = await other.get('/session');
      expect(res.status).toBe(200);
      expect((await bodyOf<SessionResponse>(res)).user.email).toBe('alice@example.test');
    } finally {
      await rotated.close();
    }
  });

  it('throttles the 11th failed sign-in from one address with 429', async () => {
    const from = address();
    // Ten accounts, so that only the per-address limit (AQ_LOGIN_LIMIT_PER_IP=10) is reached.
    const attempts = await Promise.all(Array.from({ length: 10 }, (_, i) => signInFrom(server.url, from, `nobody-${i}@example.test`, 'wrong')));
    expect(attempts.map((r) => r.status)).toEqual(Array(10).fill(401));
    const eleventh = await signInFrom(server.url, from, USERS.bob.email, USERS.bob.password);
    expect(eleventh.status).toBe(429);
    expect((await errorOf(eleventh)).code).toBe('too_many_attempts');
    expect(eleventh.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('slows down one account from one address, and not its owner elsewhere', async () => {
    const stranger = address();
    const wrong = await Promise.all(Array.from({ length: 5 }, () => signInFrom(server.url, stranger, USERS.carol.email, 'wrong')));
    expect(wrong.map((r) => r.status)).toEqual(Array(5).fill(401));
    expect((await signInFrom(server.url, stranger, USERS.carol.email, USERS.carol.password)).status).toBe(429);
    expect((await signInFrom(server.url, address(), USERS.carol.email, USERS.carol.password)).status).toBe(200);
  });

  describe('with Dovecot stopped', () => {
    afterAll(() => stackCtl('start', 'dovecot'));

    it('answers 503 mail_server_unavailable, never a wrong password', async () => {
      await stackCtl('stop', 'dovecot');
      const res = await new ApiSession(server.url).signIn(USERS.alice.email, USERS.alice.password);
      expect(res.status).toBe(503);
      expect((await errorOf(res)).code).toBe('mail_server_unavailable');
    });
  });
});
