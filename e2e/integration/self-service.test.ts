import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../shared/message';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { signLinkToken } from '../../server/services/link-token';
import { bodyOf, errorOf, ROLE_ENV, USERS } from '../support/api-client';
import { inboxMessages } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { amavisModels } from '../support/amavis-models';

const LINK_SECRET = 'test-link-secret-0123456789abcdef0123456789';

// Self-service links without sign-in: our signed token names one recipient's row and may act; amavis's
// plain triple (mail_id, secret_id, rcpt), as amavisd's own templates write it, may only view.
describe('self-service links', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...ROLE_ENV, AQ_SELF_SERVICE: 'true', AQ_LINK_SECRET: LINK_SECRET });
  });
  afterAll(() => server.close());
  // The links allow 30 requests a minute per address (counted in aq_rate_limits), and this file alone
  // makes more than that: on a fast run they all fall in one minute and the later tests got 429 (CI, on
  // PostgreSQL). Each test starts with no count; the limit itself is the subject of its own test.
  beforeEach(async () => {
    await server.context.appModels.RateLimit.destroy({ where: {} });
  });

  async function fresh(to = ['alice@example.test', 'bob@example.test'], subject = `Self-service ${Math.random().toString(36).slice(2)}`) {
    const ids = await sendThroughAmavis(server.context, { to, subject });
    const ref = decodeMessageRef(ids[to[0]!]!)!;
    const msg = await amavisModels(server.context).Msg.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId } });
    const tokenFor = (rcpt: string, expiresAt = Math.floor(Date.now() / 1000) + 3600) => signLinkToken(LINK_SECRET, decodeMessageRef(ids[rcpt]!)!, expiresAt);
    return { subject, ids, mailId: ref.mailId, secretId: msg!.secret_id, tokenFor };
  }
  const rsOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    return (await amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } }))?.rs;
  };
  const view = (q: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${server.url}/api/self-service?${new URLSearchParams(q)}`, { headers });
  const act = (body: Record<string, string>) =>
    fetch(`${server.url}/api/self-service`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const postForm = (body: Record<string, string>, origin = server.url) =>
    fetch(`${server.url}/api/self-service`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin, Accept: 'text/html', 'Accept-Language': 'en' },
      body: new URLSearchParams(body).toString(),
    });

  it('a link made for bob cannot view, delete or request alice’s copy', async () => {
    const { ids, tokenFor } = await fresh();
    const bobs = tokenFor('bob@example.test');
    const shown = await bodyOf<MessageDetail>(await view({ token: bobs }));
    expect(shown.item.recipient).toBe('bob@example.test');
    // The same signature with alice's row number: not a link to anything.
    const aliceRow = decodeMessageRef(ids['alice@example.test']!)!.rseqnum;
    const forged = bobs.replace(/^(-?\d+\.[^.]+\.)\d+\./, `$1${aliceRow}.`);
    expect(forged).not.toBe(bobs);
    expect((await view({ token: forged })).status).toBe(404);
    for (const action of ['delete', 'request', 'release']) {
      const res = await act({ token: forged, action });
      expect(res.status, action).toBe(404);
      expect((await errorOf(res)).code).toBe('not_found');
    }
    expect(await rsOf(ids['alice@example.test']!)).toBe('');
    // Bob's own link deletes bob's copy only.
    expect((await act({ token: bobs, action: 'delete' })).status).toBe(200);
    expect(await rsOf(ids['bob@example.test']!)).toBe('D');
    expect(await rsOf(ids['alice@example.test']!)).toBe('');
  });

  it('a GET changes nothing, as JSON or as the page', async () => {
    const { ids, tokenFor } = await fresh();
    const token = tokenFor('alice@example.test');
    expect((await view({ token })).status).toBe(200);
    expect((await view({ token }, { Accept: 'text/html' })).status).toBe(200);
    expect(await rsOf(ids['alice@example.test']!)).toBe('');
  });

  it('a plain amavis link of a multi-recipient mail answers 404; of a single-recipient mail it only views', async () => {
    const multi = await fresh();
    for (const rcpt of ['alice@example.test', 'bob@example.test']) {
      const res = await view({ mail_id: multi.mailId, secret_id: multi.secretId, rcpt });
      expect(res.status, rcpt).toBe(404);
      expect((await act({ mail_id: multi.mailId, secret_id: multi.secretId, rcpt, action: 'delete' })).status).toBe(404);
    }
    const single = await fresh(['alice@example.test']);
    const shown = await view({ mail_id: single.mailId, secret_id: single.secretId, rcpt: 'alice@example.test' });
    expect(shown.status).toBe(200);
    expect((await bodyOf<MessageDetail>(shown)).item.actions).toEqual([]);
    const refused = await act({ mail_id: single.mailId, secret_id: single.secretId, rcpt: 'alice@example.test', action: 'release' });
    expect(refused.status).toBe(403);
    expect((await view({ mail_id: single.mailId, secret_id: single.secretId, rcpt: 'carol@other.test' })).status).toBe(404);
    expect(await rsOf(single.ids['alice@example.test']!)).toBe('');
    expect(await inboxMessages(USERS.alice, 'subject', single.subject)).toEqual([]);
  });

  it('answers 404 for a wrong secret, a forged mail_id or an expired token', async () => {
    const { ids, mailId, secretId, tokenFor } = await fresh(['alice@example.test']);
    const wrongSecret = secretId.slice(0, -1) + (secretId.endsWith('A') ? 'B' : 'A');
    expect((await view({ mail_id: mailId, secret_id: wrongSecret, rcpt: 'alice@example.test' })).status).toBe(404);
    expect((await view({ mail_id: 'ForgedMail01', secret_id: secretId, rcpt: 'alice@example.test' })).status).toBe(404);
    const expired = await act({ token: tokenFor('alice@example.test', Math.floor(Date.now() / 1000) - 1), action: 'release' });
    expect(expired.status).toBe(404);
    expect((await errorOf(expired)).message).toMatch(/expired/);
    expect(await rsOf(ids['alice@example.test']!)).toBe('');
  });

  it('renders a safe, localised page, and its form releases the copy into the INBOX', async () => {
    const subject = `<script>alert(1)</script> "Rechnung" & <b>${Math.random().toString(36).slice(2)}</b>`;
    const { ids, tokenFor } = await fresh(['alice@example.test', 'bob@example.test'], subject);
    const token = tokenFor('alice@example.test');
    const page = await view({ token }, { Accept: 'text/html,application/xhtml+xml', 'Accept-Language': 'de-DE,de;q=0.9,en;q=0.5' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    // Not no-referrer: with it, Chromium posts the page's own form with `Origin: null` (seen for real).
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    const html = await page.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Nachricht in Quarantäne');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#34;Rechnung&#34; &#38;');
    expect(html).toContain('name="action" value="release"');
    expect(html).toContain(`name="token" value="${token}"`);
    expect(await rsOf(ids['alice@example.test']!)).toBe('');

    // A form from another site is refused; ours acts.
    expect((await postForm({ token, action: 'release' }, 'https://evil.example')).status).toBe(403);
    const done = await postForm({ token, action: 'release' });
    const outcome = await done.text();
    expect(done.status, outcome).toBe(200);
    expect(outcome).toContain('The message was delivered to your inbox.');
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', subject)).toEqual([]);
    expect(await rsOf(ids['alice@example.test']!)).toBe('R');
    expect(await rsOf(ids['bob@example.test']!)).toBe('');
  });

  it('shows a plain link as a view-only page, and a wrong link as a page too', async () => {
    const { subject, mailId, secretId } = await fresh(['alice@example.test']);
    const page = await view({ mail_id: mailId, secret_id: secretId, rcpt: 'alice@example.test' }, { Accept: 'text/html', 'Accept-Language': 'fr' });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Ce lien permet seulement d’afficher le message.');
    expect(html).toContain(subject);
    expect(html).not.toContain('<form');
    const wrong = await view({ token: 'nonsense' }, { Accept: 'text/html' });
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).toContain('This link is not valid: it was changed, cut short, or made for someone else.');
  });

  it('allows 30 requests a minute per address, counted across instances, then answers 429 with a page that says so', async () => {
    const other = await startTestServer({ ...ROLE_ENV, AQ_SELF_SERVICE: 'true', AQ_LINK_SECRET: LINK_SECRET });
    try {
      const guess = (url: string) => fetch(`${url}/api/self-service?token=guess`, { headers: { Accept: 'text/html' } });
      // 15 guesses at each instance: the 30 the address has, shared through the database.
      for (let i = 0; i < 15; i++) {
        expect((await guess(server.url)).status).toBe(404);
        expect((await guess(other.url)).status).toBe(404);
      }
      const refused = await guess(other.url);
      expect(refused.status).toBe(429);
      expect(await refused.text()).toContain('Too many requests. Try again in a minute.');
      const json = await fetch(`${server.url}/api/self-service?token=guess`);
      expect(json.status).toBe(429);
      expect((await errorOf(json)).code).toBe('too_many_attempts');
    } finally {
      await other.close();
    }
  });

  it('is off unless AQ_SELF_SERVICE=true', async () => {
    const off = await startTestServer(ROLE_ENV);
    try {
      const { mailId, secretId } = await fresh(['alice@example.test']);
      const res = await fetch(`${off.url}/api/self-service?${new URLSearchParams({ mail_id: mailId, secret_id: secretId, rcpt: 'alice@example.test' })}`);
      expect(res.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
