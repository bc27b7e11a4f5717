import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearnResult, NotSpamResponse } from '../../shared/learning';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { BatchResponse } from '../../shared/release';
import type { SenderListResponse } from '../../shared/sender-lists';
import type { SessionResponse } from '../../shared/session';
import { auditEntries, bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { bayesCounts, spamdAddress } from '../support/bayes';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

// "Spam" and "Not spam" feed the quarantined message to the real spamd (TELL), whose Bayes store is the
// one amavisd reads: the proof is `sa-learn --dump magic`, the INBOX, and amavisd's fate for the next mail.
describe('SpamAssassin learning and "Not spam"', () => {
  let server: TestServer;
  let alice: ApiSession;
  let bob: ApiSession;
  let superUser: ApiSession;
  const unique = () => randomBytes(5).toString('hex');

  beforeAll(async () => {
    const spamd = spamdAddress();
    server = await startTestServer({ ...ROLE_ENV, AQ_SPAMD: `${spamd.host}:${spamd.port}` });
    [alice, bob, superUser] = await Promise.all([
      signedIn(server.url, USERS.alice.email, USERS.alice.password),
      signedIn(server.url, USERS.bob.email, USERS.bob.password),
      signedIn(server.url, USERS.super.email, USERS.super.password),
    ]);
  });
  afterAll(() => server.close());

  // A body of its own per test: Bayes remembers messages by their tokens and Message-Id.
  const spamBody = () => `Cheap pills ${unique()} for everyone, order now ${unique()}.\n\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n`;

  it('tells the session that learning is on', async () => {
    expect((await bodyOf<SessionResponse>(await alice.get('/session'))).capabilities).toMatchObject({ learn: true, senderLists: true });
  });

  it('"Spam" raises the spam count of the Bayes store amavisd reads; the second time says already learned', async () => {
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email], subject: `Pills ${unique()}`, body: spamBody() });
    const id = ids[USERS.alice.email]!;
    const before = await bayesCounts();
    const first = await alice.request('POST', `/messages/${id}/learn`, { as: 'spam' });
    expect(first.status, await first.clone().text()).toBe(200);
    expect(await bodyOf<LearnResult>(first)).toMatchObject({ as: 'spam', outcome: 'learned' });
    const after = await bayesCounts();
    expect(after.nspam).toBe(before.nspam + 1);
    expect(after.nham).toBe(before.nham);

    const second = await bodyOf<LearnResult>(await alice.request('POST', `/messages/${id}/learn`, { as: 'spam' }));
    expect(second).toMatchObject({ as: 'spam', outcome: 'already' });
    expect((await bayesCounts()).nspam).toBe(after.nspam);
    // Both are in the audit log, with SpamAssassin's outcome.
    const audited = await auditEntries(superUser, { actor: USERS.alice.email, action: 'learn', limit: '2' });
    expect(audited.map((e) => [e.result, e.detail?.split(' (')[0]])).toEqual([
      ['ok', 'spam: already'],
      ['ok', 'spam: learned'],
    ]);
  });

  it('"Not spam" releases to the INBOX, learns ham, allows the sender, and amavisd delivers the next mail', async () => {
    const sender = `shop-${unique()}@notspam.example.net`;
    const token = `notspam${unique()}`;
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: sender, subject: `Order ${token}`, body: spamBody() });
    const before = await bayesCounts();
    const res = await alice.request('POST', `/messages/${ids[USERS.alice.email]}/not-spam`, {});
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await bodyOf<NotSpamResponse>(res);
    expect(body.steps.map((s) => [s.step, s.status])).toEqual([
      ['release', 'done'],
      ['learn', 'done'],
      ['allow', 'done'],
    ]);
    expect(await waitForInbox(USERS.alice, 'subject', token)).toHaveLength(1);
    expect((await bayesCounts()).nham).toBe(before.nham + 1);
    const lists = await bodyOf<SenderListResponse>(await alice.get('/sender-lists'));
    const entry = lists.items.find((e) => e.sender === sender);
    expect(entry).toMatchObject({ list: 'allow', for: { kind: 'me' } });

    const next = `notspam${unique()}`;
    await sendThroughAmavis(server.context, { to: [USERS.alice.email], from: sender, subject: `Order ${next}`, body: spamBody() });
    expect(await waitForInbox(USERS.alice, 'subject', next)).toHaveLength(1);
    await alice.request('DELETE', `/sender-lists/${entry!.id}`);
  });

  it('a batch learns many at once, each with its own outcome', async () => {
    const a = await sendThroughAmavis(server.context, { to: [USERS.alice.email], subject: `Pills ${unique()}`, body: spamBody() });
    const b = await sendThroughAmavis(server.context, { to: [USERS.alice.email], subject: `Pills ${unique()}`, body: spamBody() });
    const ids = [a[USERS.alice.email]!, b[USERS.alice.email]!];
    const before = await bayesCounts();
    const res = await alice.request('POST', '/messages/batch', { action: 'learn_spam', ids: [...ids, 'bm90LWEtY29weQ'] });
    expect(res.status, await res.clone().text()).toBe(200);
    const { results } = await bodyOf<BatchResponse>(res);
    expect(results.map((r) => (r.ok ? r.status : r.code))).toEqual(['learned', 'learned', 'not_found']);
    expect((await bayesCounts()).nspam).toBe(before.nspam + 2);
  });

  it('batches of "Not spam", "Not spam (learn only)", "Allow sender" and "Block sender" each do what one would', async () => {
    const [shop, news, pest, pal] = ['shop', 'news', 'pest', 'pal'].map((name) => `${name}-${unique()}@batch.example.net`) as [string, string, string, string];
    const send = async (from: string, token: string, body = spamBody()) =>
      (await sendThroughAmavis(server.context, { to: [USERS.alice.email], from, subject: `Batch ${token}`, body }))[USERS.alice.email]!;
    const [t1, t2, t3, t4, t5] = Array.from({ length: 5 }, () => `batch${unique()}`) as [string, string, string, string, string];
    const notSpam = [await send(shop, t1), await send(news, t2)];
    const learnOnly = await send(news, t3);
    const toBlock = await send(pest, t4);
    const toAllow = await send(pal, t5);
    const run = async (action: string, ids: string[]) => {
      const res = await alice.request('POST', '/messages/batch', { action, ids });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await bodyOf<BatchResponse>(res)).results.map((r) => (r.ok ? r.status : r.code));
    };

    const before = await bayesCounts();
    expect(await run('not_spam', notSpam)).toEqual(['not_spam', 'not_spam']);
    expect(await waitForInbox(USERS.alice, 'subject', t1)).toHaveLength(1);
    expect(await waitForInbox(USERS.alice, 'subject', t2)).toHaveLength(1);
    expect(await run('learn_ham', [learnOnly])).toEqual(['learned']);
    expect((await bayesCounts()).nham).toBe(before.nham + 3);
    // "Learn as ham" alone releases nothing.
    expect(await inboxMessages(USERS.alice, 'subject', t3)).toEqual([]);
    expect(await run('block_sender', [toBlock])).toEqual(['blocked']);
    expect(await run('allow_sender', [toAllow])).toEqual(['allowed']);

    const lists = (await bodyOf<SenderListResponse>(await alice.get('/sender-lists'))).items;
    const listOf = (sender: string) => lists.find((e) => e.sender === sender)?.list;
    expect([shop, news, pest, pal].map(listOf)).toEqual(['allow', 'allow', 'block', 'allow']);
    // amavisd honours them: the pest's ordinary mail is held, the pal's GTUBE is delivered.
    const [n1, n2] = [`batch${unique()}`, `batch${unique()}`];
    await send(pest, n1, 'Hello,\n\nthe minutes are attached.\n');
    await send(pal, n2);
    expect(await waitForInbox(USERS.alice, 'subject', n2)).toHaveLength(1);
    const held = await bodyOf<QuarantineListResponse>(await alice.get(`/messages?q=${n1}`));
    expect(held.items).toHaveLength(1);
    expect(await inboxMessages(USERS.alice, 'subject', n1)).toEqual([]);
    for (const entry of lists.filter((e) => [shop, news, pest, pal].includes(e.sender))) await alice.request('DELETE', `/sender-lists/${entry.id}`);
  });

  it('refuses what is not the user’s, and bad input, with a clear 4xx; nothing is learned', async () => {
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email], subject: `Pills ${unique()}`, body: spamBody() });
    const before = await bayesCounts();
    for (const [path, body, status, code] of [
      [`/messages/${ids[USERS.alice.email]}/learn`, { as: 'spam' }, 404, 'not_found'],
      [`/messages/${ids[USERS.alice.email]}/not-spam`, {}, 404, 'not_found'],
    ] as const) {
      const res = await bob.request('POST', path, body);
      expect(res.status).toBe(status);
      expect((await errorOf(res)).code).toBe(code);
    }
    const bad = await alice.request('POST', `/messages/${ids[USERS.alice.email]}/learn`, { as: 'maybe' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('validation_failed');
    expect(await bayesCounts()).toEqual(before);
    expect(await inboxMessages(USERS.bob, 'subject', 'Pills')).toEqual([]);
  });
});
