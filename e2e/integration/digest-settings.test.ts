import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigestSettings } from '../../shared/digest';
import type { SessionResponse } from '../../shared/session';
import { ApiSession, bodyOf, errorOf, signedIn, USERS } from '../support/api-client';
import { DIGEST_ENV, lmtpUrl } from '../support/digest';
import { startTestServer, type TestServer } from '../support/server';

// GET/PUT /api/digest-settings: users set their own, domain admins their domains' default, super users the site's.
describe('digest settings', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...DIGEST_ENV, AQ_SMTP_URL: lmtpUrl() });
  });
  afterAll(() => server.close());

  const settingsOf = async (session: ApiSession, query = '') => bodyOf<DigestSettings>(await session.get(`/digest-settings${query}`));

  it('inherits user → domain → site → built-in default, each level set only by who may', async () => {
    const [bob, carol, admin, root] = await Promise.all([USERS.bob, USERS.carol, USERS.admin, USERS.super].map((u) => signedIn(server.url, u.email, u.password)));
    expect((await bodyOf<SessionResponse>(await bob!.get('/session'))).capabilities.digest).toBe(true);
    try {
      expect((await bob!.request('PUT', '/digest-settings', { frequency: null })).status).toBe(200);
      expect(await settingsOf(bob!)).toMatchObject({
        target: { kind: 'user' },
        frequency: 'daily',
        source: 'default',
        editable: true,
        levels: [
          { source: 'user', key: 'bob@example.test', frequency: null },
          { source: 'domain', key: 'example.test', frequency: null },
          { source: 'site', key: '*', frequency: null },
        ],
      });
      expect((await admin!.request('PUT', '/digest-settings', { for: 'domain:example.test', frequency: 'weekly' })).status).toBe(200);
      expect((await root!.request('PUT', '/digest-settings', { for: 'site', frequency: '4h' })).status).toBe(200);
      expect(await settingsOf(bob!)).toMatchObject({ frequency: 'weekly', source: 'domain' });
      expect(await settingsOf(carol!)).toMatchObject({ frequency: '4h', source: 'site' });
      expect((await bob!.request('PUT', '/digest-settings', { frequency: 'off', language: 'fr' })).status).toBe(200);
      expect(await settingsOf(bob!)).toMatchObject({ frequency: 'off', source: 'user', language: 'fr' });
      expect(await settingsOf(admin!, '?for=domain:example.test')).toMatchObject({ target: { kind: 'domain', domain: 'example.test' }, frequency: 'weekly' });
    } finally {
      await admin!.request('PUT', '/digest-settings', { for: 'domain:example.test', frequency: null });
      await root!.request('PUT', '/digest-settings', { for: 'site', frequency: null });
      await bob!.request('PUT', '/digest-settings', { frequency: null });
    }
  });

  it('refuses other levels (403), bad input (400) and a PUT without the CSRF token', async () => {
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
    const cases: Array<[ApiSession, unknown, number, string]> = [
      [alice, { for: 'site', frequency: 'daily' }, 403, 'forbidden'],
      [alice, { for: 'domain:example.test', frequency: 'daily' }, 403, 'forbidden'],
      [admin, { for: 'domain:other.test', frequency: 'daily' }, 403, 'forbidden'],
      [admin, { for: 'site', frequency: 'daily' }, 403, 'forbidden'],
      [alice, { for: 'everyone', frequency: 'daily' }, 400, 'validation_failed'],
      [alice, { frequency: 'hourly' }, 400, 'validation_failed'],
      [alice, { frequency: 'daily', language: 'xx' }, 400, 'validation_failed'],
      [alice, {}, 400, 'validation_failed'],
    ];
    for (const [session, body, status, code] of cases) {
      const res = await session.request('PUT', '/digest-settings', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await errorOf(res)).code).toBe(code);
    }
    expect((await errorOf(await alice.get('/digest-settings?for=site'))).code).toBe('forbidden');
    const noToken = await alice.request('PUT', '/digest-settings', { frequency: 'off' }, { 'X-CSRF-Token': 'wrong' });
    expect(noToken.status).toBe(403);
    expect((await errorOf(noToken)).code).toBe('csrf_failed');
    expect((await new ApiSession(server.url).get('/digest-settings')).status).toBe(401);
  });
});
