import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockSenderResponse, SenderListChange, SenderListResponse } from '../../shared/sender-lists';
import type { QuarantineListResponse } from '../../shared/quarantine';
import { auditEntries, bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

// Entries go into amavis's own lookup tables; the proof is what the real amavisd then does with the
// next mail: delivered to the INBOX (counted over IMAP) or held in the quarantine.
describe('allow and block senders, honoured by amavisd', () => {
  let server: TestServer;
  let alice: ApiSession;
  let bob: ApiSession;
  let admin: ApiSession;
  let superUser: ApiSession;
  const made: Array<{ session: () => ApiSession; id: string }> = [];
  const unique = () => randomBytes(5).toString('hex');
  const ORDINARY = 'Hello,\n\nthe minutes of Tuesday are attached in the next mail.\n\nRegards\n';

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    [alice, bob, admin, superUser] = await Promise.all([
      signedIn(server.url, USERS.alice.email, USERS.alice.password),
      signedIn(server.url, USERS.bob.email, USERS.bob.password),
      signedIn(server.url, USERS.admin.email, USERS.admin.password),
      signedIn(server.url, USERS.super.email, USERS.super.password),
    ]);
  });
  afterAll(async () => {
    for (const { session, id } of made) await session().request('DELETE', `/sender-lists/${id}`);
    await server.close();
  });

  const add = async (session: ApiSession, body: object) => {
    const res = await session.request('POST', '/sender-lists', body);
    expect(res.status, await res.clone().text()).toBe(201);
    const change = await bodyOf<SenderListChange>(res);
    made.push({ session: () => session, id: change.entry.id });
    return change;
  };
  /** The newest audit entry of this actor and action. */
  const lastAudit = async (actor: string, action: string) => (await auditEntries(superUser, { actor, action }))[0];
  /** The user's quarantine entries whose subject holds this token. */
  const held = async (session: ApiSession, token: string) => {
    const res = await session.get(`/messages?q=${token}`);
    expect(res.status).toBe(200);
    return (await bodyOf<QuarantineListResponse>(res)).items;
  };

  it('alice allows a sender: its GTUBE reaches her INBOX, while bob’s copy is still quarantined', async () => {
    const sender = `friend-${unique()}@allowed.example.net`;
    const change = await add(alice, { sender: sender.toUpperCase(), list: 'allow' });
    expect(change).toMatchObject({ before: null, entry: { sender, list: 'allow', wb: 'W', for: { kind: 'me' } } });
    const audited = await lastAudit(USERS.alice.email, 'allow_sender');
    expect(audited).toMatchObject({ result: 'ok', detail: `${sender}: none → allow` });
    expect(audited?.recipient).toContain(USERS.alice.email);

    const token = `allowtest${unique()}`;
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email, USERS.bob.email], from: sender, subject: `Spam ${token}` });
    expect(await waitForInbox(USERS.alice, 'subject', token)).toHaveLength(1);
    // Her copy was delivered: it is neither listed nor offered for a release (that would deliver it twice).
    expect(await held(alice, token)).toEqual([]);
    expect((await alice.request('POST', `/messages/${ids[USERS.alice.email]}/release`, {})).status).toBe(404);
    expect(await held(bob, token)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', token)).toEqual([]);

    const list = await bodyOf<SenderListResponse>(await alice.get('/sender-lists'));
    expect(list.items.filter((e) => e.sender === sender)).toEqual([change.entry]);
    expect((await bodyOf<SenderListResponse>(await bob.get('/sender-lists'))).items.some((e) => e.sender === sender)).toBe(false);
  });

  it('alice blocks a sender: its ordinary mail is quarantined for her and delivered to bob; removing the entry undoes it', async () => {
    const sender = `pest-${unique()}@blocked.example.net`;
    const change = await add(alice, { sender, list: 'block' });
    const token = `blocktest${unique()}`;
    await sendThroughAmavis(server.context, { to: [USERS.alice.email, USERS.bob.email], from: sender, subject: `Minutes ${token}`, body: ORDINARY });
    expect(await waitForInbox(USERS.bob, 'subject', token)).toHaveLength(1);
    expect(await held(alice, token)).toHaveLength(1);
    expect(await inboxMessages(USERS.alice, 'subject', token)).toEqual([]);

    expect(await lastAudit(USERS.alice.email, 'block_sender')).toMatchObject({ result: 'ok', detail: `${sender}: none → block` });
    const res = await alice.request('DELETE', `/sender-lists/${change.entry.id}`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await lastAudit(USERS.alice.email, 'unlist_sender')).toMatchObject({ result: 'ok', detail: `${sender}: block → none` });
    const again = `blocktest${unique()}`;
    await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: sender, subject: `Minutes ${again}`, body: ORDINARY });
    expect(await waitForInbox(USERS.alice, 'subject', again)).toHaveLength(1);
  });

  it('allow-sender on a quarantined message lets that sender’s next GTUBE through', async () => {
    const sender = `newsletter-${unique()}@fromqueue.example.net`;
    const first = `fromqueue${unique()}`;
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: sender, subject: `Spam ${first}` });
    const res = await alice.request('POST', `/messages/${ids[USERS.alice.email]}/allow-sender`, {});
    expect(res.status, await res.clone().text()).toBe(200);
    const change = await bodyOf<SenderListChange>(res);
    made.push({ session: () => alice, id: change.entry.id });
    expect(change.entry).toMatchObject({ sender, list: 'allow' });

    const next = `fromqueue${unique()}`;
    await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: sender, subject: `Spam ${next}` });
    expect(await waitForInbox(USERS.alice, 'subject', next)).toHaveLength(1);
  });

  it('block-sender by domain names the other copies from that domain still in the quarantine', async () => {
    const domain = `spree-${unique()}.example.net`;
    const token = `spree${unique()}`;
    const a = await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: `one@${domain}`, subject: `Spam ${token} a` });
    const b = await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: `two@${domain}`, subject: `Spam ${token} b` });
    await sendThroughAmavis(server.context, { to: [USERS.bob.email], from: `three@${domain}`, subject: `Spam ${token} c` });
    const res = await alice.request('POST', `/messages/${a[USERS.alice.email]}/block-sender`, { scope: 'domain' });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await bodyOf<BlockSenderResponse>(res);
    made.push({ session: () => alice, id: body.entry.id });
    expect(body.entry).toMatchObject({ sender: `@${domain}`, senderKind: 'domain', list: 'block' });
    // bob's copy is not alice's to delete, and the message acted on is not counted twice.
    expect(body.others).toEqual({ count: 1, ids: [b[USERS.alice.email]], more: false });
  });

  it('a domain admin’s entry applies to every user of the domain and to no other domain', async () => {
    const sender = `vendor-${unique()}@domainwide.example.net`;
    const change = await add(admin, { sender, list: 'block', for: '@example.test' });
    expect(change.entry.for).toEqual({ kind: 'domain', key: '@example.test' });
    const token = `domaintest${unique()}`;
    await sendThroughAmavis(server.context, { to: [USERS.alice.email, USERS.bob.email, USERS.carol.email], from: sender, subject: `Offer ${token}`, body: ORDINARY });
    expect(await waitForInbox(USERS.carol, 'subject', token)).toHaveLength(1);
    expect(await held(alice, token)).toHaveLength(1);
    expect(await held(bob, token)).toHaveLength(1);
    // The users see the domain's entry is not theirs to remove.
    expect((await bodyOf<SenderListResponse>(await alice.get('/sender-lists'))).items.some((e) => e.sender === sender)).toBe(false);
    expect((await bodyOf<SenderListResponse>(await admin.get('/sender-lists'))).items).toContainEqual(change.entry);
  });

  it('a domain admin blocks a sender from a user’s message for the whole domain: the next mail is held for another user of it, not for other.test', async () => {
    const sender = `spammer-${unique()}@frommessage.example.net`;
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: sender, subject: `Spam ${unique()}` });
    const res = await admin.request('POST', `/messages/${ids[USERS.alice.email]}/block-sender`, { scope: 'address', for: 'domain' });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await bodyOf<BlockSenderResponse>(res);
    made.push({ session: () => admin, id: body.entry.id });
    expect(body.entry).toMatchObject({ sender, list: 'block', for: { kind: 'domain', key: '@example.test' } });
    const token = `fordomain${unique()}`;
    await sendThroughAmavis(server.context, { to: [USERS.bob.email, USERS.carol.email], from: sender, subject: `Minutes ${token}`, body: ORDINARY });
    expect(await waitForInbox(USERS.carol, 'subject', token)).toHaveLength(1);
    expect(await held(bob, token)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', token)).toEqual([]);
    // A user may not make an entry for the whole domain from their own message.
    const mine = await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: sender, subject: `Spam ${unique()}` });
    const denied = await alice.request('POST', `/messages/${mine[USERS.alice.email]}/allow-sender`, { for: 'domain' });
    expect(denied.status).toBe(403);
    expect((await errorOf(denied)).code).toBe('forbidden');
  });

  it('a domain admin’s entry for the domain and its subdomains (@.domain) is listed for them and removable by them', async () => {
    const sender = `bulk-${unique()}@subdomains.example.net`;
    const change = await add(admin, { sender, list: 'block', for: '@.example.test' });
    expect(change.entry.for).toEqual({ kind: 'subdomains', key: '@.example.test' });
    expect((await bodyOf<SenderListResponse>(await admin.get('/sender-lists'))).items).toContainEqual(change.entry);
    const denied = await alice.request('DELETE', `/sender-lists/${change.entry.id}`);
    expect(denied.status).toBe(403);
    const res = await admin.request('DELETE', `/sender-lists/${change.entry.id}`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await bodyOf<SenderListResponse>(await admin.get('/sender-lists'))).items.some((e) => e.sender === sender)).toBe(false);
  });

  it('refuses bad input and other people’s entries with a clear 4xx, and writes nothing', async () => {
    const before = await bodyOf<SenderListResponse>(await alice.get('/sender-lists'));
    const cases: Array<[ApiSession, string, string, object | undefined, number, string]> = [
      [alice, 'POST', '/sender-lists', { sender: 'not an address', list: 'allow' }, 400, 'validation_failed'],
      [alice, 'POST', '/sender-lists', { sender: 'x@exa mple.com', list: 'block' }, 400, 'validation_failed'],
      [alice, 'POST', '/sender-lists', { sender: 'ok@example.net', list: 'maybe' }, 400, 'validation_failed'],
      [alice, 'POST', '/sender-lists', { sender: 'ok@example.net', list: 'allow', for: '@example.test' }, 403, 'forbidden'],
      [alice, 'POST', '/sender-lists', { sender: 'ok@example.net', list: 'allow', for: 'bob@example.test' }, 403, 'forbidden'],
      [alice, 'POST', '/sender-lists', { sender: 'ok@example.net', list: 'allow', for: 'everyone' }, 403, 'forbidden'],
      [admin, 'POST', '/sender-lists', { sender: 'ok@example.net', list: 'allow', for: '@other.test' }, 403, 'forbidden'],
      [bob, 'DELETE', `/sender-lists/${Buffer.from(JSON.stringify(['alice@example.test', 'x@y.example'])).toString('base64url')}`, undefined, 403, 'forbidden'],
      [bob, 'DELETE', '/sender-lists/garbage', undefined, 404, 'not_found'],
    ];
    for (const [session, method, path, body, status, code] of cases) {
      const res = await session.request(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(10);
    }
    // Without the CSRF token, nothing changes either.
    const noToken = await fetch(`${server.url}/api/sender-lists`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: alice.cookie ?? '' },
      body: JSON.stringify({ sender: 'sneaky@example.net', list: 'allow' }),
    });
    expect(noToken.status).toBe(403);
    expect(await bodyOf<SenderListResponse>(await alice.get('/sender-lists'))).toEqual(before);
  });
});
