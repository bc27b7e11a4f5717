import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../shared/session';
import { signSsoToken } from '../../server/services/sso';
import { ApiSession, bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/server';
import { ROOT } from '../support/stack';

const run = promisify(execFile);
const SECRET = randomBytes(32).toString('hex');
const now = () => Math.floor(Date.now() / 1000);
/** A fresh client address (198.18.0.0/15, the benchmarking range): failed tokens count against it in the shared limits, not against 127.0.0.1. */
const address = () => `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
const CLIENT = address();
// The servers trust one proxy hop, so the X-Forwarded-For these tests send is the client address.
const PROXIED = { AQ_TRUST_PROXY: '1' };

/** POSTs a token to /api/session/sso in a fresh cookie jar, as the widget does on the webmail's page. */
async function exchange(
  base: string,
  token: unknown,
  session = new ApiSession(base),
  from = CLIENT,
): Promise<{ session: ApiSession; status: number; body: Record<string, unknown> }> {
  const res = await session.request('POST', '/session/sso', { token }, { 'X-Forwarded-For': from });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.ok) session.csrfToken = body.csrfToken as string;
  return { session, status: res.status, body };
}

// Single sign-on from the webmail: a token signed under AQ_SSO_SECRET, exchanged for a session in the
// real database; everything else is refused with its own code.
describe('single sign-on (POST /api/session/sso)', () => {
  let server: TestServer;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aq-sso-'));
    writeFileSync(path.join(dir, 'aliases'), 'sales@example.test: alice@example.test\n');
    // This file sends many bad tokens on purpose; the limit itself has its own test below.
    server = await startTestServer({ ...ROLE_ENV, ...PROXIED, AQ_SSO_SECRET: SECRET, AQ_ALIASES_FILE: path.join(dir, 'aliases'), AQ_LOGIN_LIMIT_PER_IP: '1000' });
  });
  afterAll(() => server?.close());

  it('gives a session for a valid token, with roles and aliases, without a CSRF token or a password', async () => {
    const { session, status, body } = await exchange(server.url, signSsoToken(SECRET, USERS.alice.email, now() + 30));
    expect(status).toBe(200);
    expect(body.user).toEqual({ email: 'alice@example.test', role: 'user', addresses: ['alice@example.test', 'sales@example.test'], domains: [] });
    expect(session.setCookieHeader).toMatch(/^aq_session=.*; HttpOnly/i);
    const current = await session.get('/session');
    expect(current.status).toBe(200);
    expect((await bodyOf<SessionResponse>(current)).user.email).toBe('alice@example.test');
    expect((await session.get('/messages')).status).toBe(200);
    // The session is an ordinary one: CSRF-protected writes, sign-out.
    expect((await session.request('DELETE', '/session')).status).toBe(204);
    expect((await session.get('/session')).status).toBe(401);

    const admin = await exchange(server.url, signSsoToken(SECRET, USERS.admin.email, now() + 30));
    expect(admin.body.user).toMatchObject({ email: 'admin@example.test', role: 'domain_admin', domains: ['example.test'] });
  });

  it('accepts a token made by the Roundcube plugin’s PHP code', async () => {
    const plugin = path.join(ROOT, 'plugin/roundcube/amavis_quarantine/amavis_quarantine.php');
    const { stdout } = await run('php', [
      '-r',
      'class rcube_plugin {} require $argv[1]; echo amavis_quarantine::sso_token($argv[2], $argv[3], 60);',
      plugin,
      SECRET,
      USERS.bob.email,
    ]);
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{22}\.[0-9a-f]{64}$/);
    const { status, body } = await exchange(server.url, stdout);
    expect(status).toBe(200);
    expect(body.user).toMatchObject({ email: 'bob@example.test', role: 'user' });
  });

  it('refuses a forged token (another secret, or a changed HMAC)', async () => {
    const other = await exchange(server.url, signSsoToken(randomBytes(32).toString('hex'), USERS.alice.email, now() + 30));
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('sso_invalid');
    const token = signSsoToken(SECRET, USERS.alice.email, now() + 30);
    const flipped = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
    expect(await exchange(server.url, flipped)).toMatchObject({ status: 401, body: { code: 'sso_invalid' } });
  });

  it('binds the token to its address: another address in it breaks the signature', async () => {
    const [, expiry, nonce, mac] = signSsoToken(SECRET, USERS.alice.email, now() + 30).split('.');
    const forSuper = `${Buffer.from(USERS.super.email).toString('base64url')}.${expiry}.${nonce}.${mac}`;
    const { status, body } = await exchange(server.url, forSuper);
    expect(status).toBe(401);
    expect(body.code).toBe('sso_invalid');
  });

  it('refuses an expired token, and one valid for longer than AQ_SSO_MAX_AGE_SECONDS', async () => {
    const expired = await exchange(server.url, signSsoToken(SECRET, USERS.alice.email, now() - 30));
    expect(expired).toMatchObject({ status: 401, body: { code: 'sso_expired' } });
    expect(String(expired.body.message)).toMatch(/expired/);
    const future = await exchange(server.url, signSsoToken(SECRET, USERS.alice.email, now() + 3600));
    expect(future).toMatchObject({ status: 401, body: { code: 'sso_invalid' } });
    expect(String(future.body.message)).toMatch(/AQ_SSO_MAX_AGE_SECONDS/);
  });

  it('refuses malformed tokens, and a body without one', async () => {
    const good = signSsoToken(SECRET, USERS.alice.email, now() + 30);
    for (const token of ['x', good.replace(/\./g, ':'), `${good}.extra`, good.toUpperCase(), 'a'.repeat(1000)]) {
      expect(await exchange(server.url, token), token).toMatchObject({ status: 401, body: { code: 'sso_invalid' } });
    }
    for (const token of [undefined, '', 42, 'a'.repeat(2000)]) {
      expect(await exchange(server.url, token), String(token)).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    }
    // Still JSON only, like sign-in: a cross-site form cannot post a token.
    const form = await fetch(`${server.url}/api/session/sso`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `token=${good}`,
    });
    expect(form.status).toBe(415);
  });

  it('accepts each token once, also across instances sharing the database', async () => {
    const token = signSsoToken(SECRET, USERS.alice.email, now() + 30);
    expect((await exchange(server.url, token)).status).toBe(200);
    const replay = await exchange(server.url, token);
    expect(replay).toMatchObject({ status: 401, body: { code: 'sso_replayed' } });
    const second = await startTestServer({ ...ROLE_ENV, ...PROXIED, AQ_SSO_SECRET: SECRET });
    try {
      const token2 = signSsoToken(SECRET, USERS.bob.email, now() + 30);
      // A fresh address: this file's own failed tokens, counted in the shared limits, must not block the second instance.
      expect((await exchange(second.url, token2, undefined, address())).status).toBe(200);
      expect(await exchange(server.url, token2)).toMatchObject({ status: 401, body: { code: 'sso_replayed' } });
    } finally {
      await second.close();
    }
    // Two tokens for one user in the same second differ (the nonce): a second tab is not a replay.
    const expiry = now() + 30;
    expect((await exchange(server.url, signSsoToken(SECRET, USERS.alice.email, expiry))).status).toBe(200);
    expect((await exchange(server.url, signSsoToken(SECRET, USERS.alice.email, expiry))).status).toBe(200);
  });

  it('replaces a session that existed before (another user, or one planted by an attacker)', async () => {
    const bob = await signedIn(server.url, USERS.bob.email, USERS.bob.password);
    const before = bob.cookie;
    const { status, session } = await exchange(server.url, signSsoToken(SECRET, USERS.alice.email, now() + 30), bob);
    expect(status).toBe(200);
    expect(session.cookie).not.toBe(before);
    expect((await bodyOf<SessionResponse>(await session.get('/session'))).user.email).toBe('alice@example.test');
    const old = new ApiSession(server.url);
    old.cookie = before;
    expect((await old.get('/session')).status).toBe(401);
  });

  it('is refused with 404 sso_disabled when AQ_SSO_SECRET is not set', async () => {
    const plain = await startTestServer({ ...ROLE_ENV, ...PROXIED });
    try {
      const { status, body } = await exchange(plain.url, signSsoToken(SECRET, USERS.alice.email, now() + 30), undefined, address());
      expect(status).toBe(404);
      expect(body.code).toBe('sso_disabled');
      expect(String(body.message)).toMatch(/AQ_SSO_SECRET/);
    } finally {
      await plain.close();
    }
  });

  it('counts failed tokens against the per-IP sign-in limit', async () => {
    const limited = await startTestServer({ ...ROLE_ENV, ...PROXIED, AQ_SSO_SECRET: SECRET, AQ_LOGIN_LIMIT_PER_IP: '3' });
    try {
      const from = address();
      const forged = () => signSsoToken('not-the-secret-0123456789abcdef0123', USERS.alice.email, now() + 30);
      for (let i = 0; i < 3; i++) expect((await exchange(limited.url, forged(), undefined, from)).status).toBe(401);
      const blocked = await exchange(limited.url, signSsoToken(SECRET, USERS.alice.email, now() + 30), undefined, from);
      expect(blocked).toMatchObject({ status: 429, body: { code: 'too_many_attempts' } });
    } finally {
      await limited.close();
    }
  });
});
