import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigestSettings } from '../../shared/digest';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { ReleaseRequestListResponse } from '../../shared/requests';
import type { SenderListResponse } from '../../shared/sender-lists';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { signLinkToken } from '../../server/services/link-token';
import { bodyOf, errorOf, signedIn, USERS } from '../support/api-client';
import { ALICE_ALIAS, API_URL, DIGEST_ENV, digestsIn, digestsSince, LINK_SECRET, lmtpUrl, runDigest } from '../support/digest';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

const tag = () => randomBytes(4).toString('hex');

// Digests of newly quarantined mail, sent through Dovecot's LMTP into the INBOX and read back over IMAP.
describe('digests', () => {
  let server: TestServer;
  const env = () => ({ ...DIGEST_ENV, AQ_SMTP_URL: lmtpUrl() });
  const onServer = (link: string) => link.replace(API_URL, `${server.url}/api`);
  /** Sends the user's digest now, so that the next one lists only what a test sends after. */
  /**
   * A run for every user, as cron does. Other test files leave mail for local recipients Dovecot does not
   * know (alicea@, sales@): their digests are refused, and the run says so (exit 1). alice's and bob's never are.
   */
  const runForEveryone = async (when: string) => {
    const run = await runDigest(env(), ['--now-at', when, '--json']);
    const report = JSON.parse(run.out) as { failed: string[]; unknown: string[] };
    expect([...report.failed, ...report.unknown].filter((a) => /\b(alice|bob)@example\.test\b/.test(a))).toEqual([]);
  };
  const catchUp = async (email: string) => expect((await runDigest(env(), ['--user', email, '--now'])).code).toBe(0);

  beforeAll(async () => {
    server = await startTestServer({ ...env() });
    // English and the default frequency, whatever an earlier run left (the frequency test sets German).
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    expect((await alice.request('PUT', '/digest-settings', { frequency: null, language: 'en' })).status).toBe(200);
  });
  afterAll(() => server.close());

  it('lists exactly alice’s new messages, alice+news’s and her alias’s among them, and not bob’s', async () => {
    await catchUp(USERS.alice.email);
    const before = await digestsIn(USERS.alice);
    const t = tag();
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: `Digest one ${t}` });
    await sendThroughAmavis(server.context, { to: ['bob@example.test'], subject: `Digest bob only ${t}` });
    await sendThroughAmavis(server.context, { to: ['alice+news@example.test'], subject: `Digest news ${t}` });
    await sendThroughAmavis(server.context, { to: ['alice@example.test', 'bob@example.test'], subject: `Digest both <b>&amp; ${t}</b>` });
    await sendThroughAmavis(server.context, { to: [ALICE_ALIAS], subject: `Digest alias ${t}` });

    const run = await runDigest(env(), ['--user', 'alice@example.test', '--now']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/sent: alice@example.test/);
    const [digest, ...others] = await digestsSince(USERS.alice, before);
    expect(others).toEqual([]);
    expect(digest!.entries.map((e) => e.subject).sort()).toEqual([`Digest alias ${t}`, `Digest both <b>&amp; ${t}</b>`, `Digest news ${t}`, `Digest one ${t}`].sort());
    expect(digest!.subject).toBe('Quarantine: 4 new messages held for you');
    expect(digest!.text).not.toContain('bob only');
    // The HTML part escapes the hostile subject, loads nothing remote, and links the webmail.
    expect(digest!.html).toContain(`Digest both &#60;b&#62;&#38;amp; ${t}&#60;/b&#62;`);
    expect(digest!.html).not.toMatch(/<img|<script|src=/i);
    expect(digest!.html).toContain('https://webmail.example.test/');
    for (const entry of digest!.entries) expect(Object.keys(entry.links).sort()).toEqual(['allow', 'block', 'delete', 'release']);

    // A second run right after has nothing new: no digest at all.
    const again = await runDigest(env(), ['--user', 'alice@example.test', '--now']);
    expect(again.out).toMatch(/nothing new for alice@example.test/);
    expect(await digestsSince(USERS.alice, [...before, digest!])).toEqual([]);
  });

  it('a release link: GET only shows, POST releases into the INBOX; bad links get a page that says why', async () => {
    await catchUp(USERS.alice.email);
    const before = await digestsIn(USERS.alice);
    const subject = `Digest release ${tag()}`;
    const ids = await sendThroughAmavis(server.context, { to: ['alice@example.test', 'bob@example.test'], subject });
    await runDigest(env(), ['--user', 'alice@example.test', '--now']);
    const [digest] = await digestsSince(USERS.alice, before);
    const link = onServer(digest!.entries.find((e) => e.subject === subject)!.links.release!);

    const page = await fetch(link, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Release to my inbox');
    expect(html).toContain(subject);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);

    const token = new URL(link).searchParams.get('token')!;
    const post = (body: Record<string, string>, lang = 'en') =>
      fetch(`${server.url}/api/self-service?lang=${lang}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url, Accept: 'text/html' },
        body: new URLSearchParams(body).toString(),
      });
    const released = await post({ token, action: 'release' });
    expect(released.status).toBe(200);
    expect(await released.text()).toContain('The message was delivered to your inbox.');
    expect(await waitForInbox(USERS.alice, 'subject', subject)).toHaveLength(1);

    // Expired (signed, but its time is over), forged (one character of the signature changed), and
    // another recipient's (bob's signature over alice's row): refused, each page saying why, in the link's language.
    const aliceRef = decodeMessageRef(ids['alice@example.test']!)!;
    const expired = signLinkToken(LINK_SECRET, aliceRef, Math.floor(Date.now() / 1000) - 60);
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const bobs = signLinkToken(LINK_SECRET, decodeMessageRef(ids['bob@example.test']!)!, Math.floor(Date.now() / 1000) + 3600);
    const otherRecipient = bobs.replace(/^(-?\d+\.[^.]+\.)\d+\./, `$1${aliceRef.rseqnum}.`);
    const cases: Array<[string, string, RegExp]> = [
      [expired, 'de', /Dieser Link ist abgelaufen/],
      [forged, 'fr', /Ce lien n’est pas valide/],
      [otherRecipient, 'en', /made for someone else/],
    ];
    for (const [bad, lang, why] of cases) {
      const shown = await fetch(`${server.url}/api/self-service?token=${encodeURIComponent(bad)}&action=delete&lang=${lang}`, { headers: { Accept: 'text/html' } });
      expect(shown.status).toBe(404);
      expect(await shown.text()).toMatch(why);
      const acted = await post({ token: bad, action: 'delete' }, lang);
      expect(acted.status).toBe(404);
      expect(await acted.text()).toMatch(why);
    }
  });

  it('an allow-sender link puts the sender on her list, and amavisd delivers the sender’s next spam', async () => {
    await catchUp(USERS.alice.email);
    const before = await digestsIn(USERS.alice);
    const from = `digest-${tag()}@sender.example.net`;
    const subject = `Digest allow ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], from, subject });
    await runDigest(env(), ['--user', 'alice@example.test', '--now']);
    const [digest] = await digestsSince(USERS.alice, before);
    const link = new URL(onServer(digest!.entries.find((e) => e.subject === subject)!.links.allow!));
    // The page puts the link's action first; nothing is written by opening it.
    const page = await (await fetch(link, { headers: { Accept: 'text/html' } })).text();
    expect(page).toMatch(/<button type="submit" name="action" value="allow" class="primary">Always allow this sender<\/button>/);
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const listed = async () => (await bodyOf<SenderListResponse>(await alice.get('/sender-lists'))).items.filter((i) => i.sender === from);
    expect(await listed()).toEqual([]);

    const res = await fetch(`${server.url}/api/self-service`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: link.searchParams.get('token'), action: 'allow' }),
    });
    expect(await res.json()).toEqual({ status: 'allowed' });
    expect((await listed()).map((i) => i.list)).toEqual(['allow']);
    const next = `Digest allowed next ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], from, subject: next });
    expect(await waitForInbox(USERS.alice, 'subject', next, () => true, 30_000)).toHaveLength(1);
    // Her list is left as it was: every run would otherwise add an entry to it.
    for (const entry of await listed()) expect((await alice.request('DELETE', `/sender-lists/${entry.id}`)).status).toBe(200);
  });

  it('a blocked attachment offers "Request release", never "Release"; the request, block and delete links act', async () => {
    await catchUp(USERS.alice.email);
    const before = await digestsIn(USERS.alice);
    const pest = `digest-${tag()}@pest.example.net`;
    const [banned, spam, junk] = [`Digest banned ${tag()}`, `Digest block ${tag()}`, `Digest delete ${tag()}`];
    await sendThroughAmavis(server.context, {
      to: ['alice@example.test'],
      subject: banned,
      body: 'Pay.\n',
      attachment: { name: 'invoice.exe', content: 'MZ not really a program' },
    });
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], from: pest, subject: spam });
    const junkIds = await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: junk });
    await runDigest(env(), ['--user', 'alice@example.test', '--now']);
    const [digest] = await digestsSince(USERS.alice, before);
    const entry = (subject: string) => digest!.entries.find((e) => e.subject === subject)!;
    expect(Object.keys(entry(banned).links).sort()).toEqual(['allow', 'block', 'delete', 'request']);
    // Each entry says why it was held, its score and when it goes.
    expect(digest!.text).toMatch(new RegExp(`${banned}\\n(?:.*\\n)*? {3}Why: Blocked attachment · Score: [^\\n]+ · deleted in \\d+ days`));
    expect(digest!.text).toMatch(new RegExp(`${spam}\\n(?:.*\\n)*? {3}Why: Spam · Score: \\d+\\.\\d · deleted in \\d+ days`));
    const act = async (subject: string, action: string) => {
      const link = new URL(onServer(entry(subject).links[action]!));
      const res = await fetch(`${server.url}/api/self-service`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: link.searchParams.get('token'), action }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as { status: string }).status;
    };

    // The request reaches the domain admin's list of requests; nothing is delivered.
    expect(await act(banned, 'request')).toBe('pending');
    const admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
    const requests = (await bodyOf<ReleaseRequestListResponse>(await admin.get('/requests'))).items.filter((r) => r.subject === banned);
    expect(requests).toHaveLength(1);
    expect(await inboxMessages(USERS.alice, 'subject', banned)).toEqual([]);
    // Block: amavisd now holds the sender's ordinary mail for her.
    expect(await act(spam, 'block')).toBe('blocked');
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const next = `Digest blocked next ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], from: pest, subject: next, body: 'Hello,\n\nthe minutes are attached.\n' });
    const held = await bodyOf<QuarantineListResponse>(await alice.get(`/messages?q=${encodeURIComponent(next.split(' ').at(-1)!)}`));
    expect(held.items.map((i) => i.subject)).toEqual([next]);
    expect(await inboxMessages(USERS.alice, 'subject', next)).toEqual([]);
    // Delete: the copy is gone from her quarantine, and can no longer be released.
    expect(await act(junk, 'delete')).toBe('deleted');
    expect((await bodyOf<QuarantineListResponse>(await alice.get(`/messages?q=${encodeURIComponent(junk.split(' ').at(-1)!)}`))).items).toEqual([]);
    const late = await alice.request('POST', `/messages/${junkIds['alice@example.test']}/release`, {});
    expect(late.status, await late.clone().text()).toBe(409);
    const refusal = await errorOf(late);
    expect(refusal.code).toBe('conflict');
    expect(refusal.message).toMatch(/deleted/);
    // What the links made is taken back, so that runs do not pile up: her request, her block entry.
    expect((await alice.request('POST', `/requests/${requests[0]!.id}/cancel`, {})).status).toBe(200);
    const entries = (await bodyOf<SenderListResponse>(await alice.get('/sender-lists'))).items.filter((i) => i.sender === pest);
    expect(entries).toHaveLength(1);
    for (const e of entries) expect((await alice.request('DELETE', `/sender-lists/${e.id}`)).status).toBe(200);
  });

  it('frequency: off gets nothing; daily gets one mail a day, however often the sender runs', async () => {
    const bob = await signedIn(server.url, USERS.bob.email, USERS.bob.password);
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    expect((await bob.request('PUT', '/digest-settings', { frequency: 'off', language: 'en' })).status).toBe(200);
    expect((await alice.request('PUT', '/digest-settings', { frequency: 'daily', language: 'de' })).status).toBe(200);
    await catchUp(USERS.alice.email);
    const settings = await bodyOf<DigestSettings>(await alice.get('/digest-settings'));
    expect(settings).toMatchObject({ frequency: 'daily', source: 'user', language: 'de' });
    const last = Date.parse(settings.lastSentAt!);
    const at = (hours: number) => new Date(last + hours * 3600_000).toISOString();
    const bobBefore = await digestsIn(USERS.bob);
    const aliceBefore = await digestsIn(USERS.alice);

    const first = `Digest daily 1 ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test', 'bob@example.test'], subject: first });
    // Not a day since her last digest: nothing, for her; bob is off.
    await runForEveryone(at(2));
    expect(await digestsSince(USERS.alice, aliceBefore)).toEqual([]);
    // A day later: one digest, in German; the same run again, and an hour later: nothing more.
    await runForEveryone(at(24));
    await runForEveryone(at(24));
    const second = `Digest daily 2 ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test', 'bob@example.test'], subject: second });
    await runForEveryone(at(25));
    const day1 = await digestsSince(USERS.alice, aliceBefore);
    expect(day1).toHaveLength(1);
    expect(day1[0]!.language).toBe('de');
    expect(day1[0]!.subject).toBe('Quarantäne: 1 neue Nachricht zurückgehalten');
    expect(day1[0]!.entries.map((e) => e.subject)).toEqual([first]);
    // The next day: the second message.
    await runForEveryone(at(48));
    const day2 = await digestsSince(USERS.alice, [...aliceBefore, ...day1]);
    expect(day2.map((d) => d.entries.map((e) => e.subject))).toEqual([[second]]);
    expect(await digestsSince(USERS.bob, bobBefore)).toEqual([]);
    expect((await bob.request('PUT', '/digest-settings', { frequency: null })).status).toBe(200);
    expect((await alice.request('PUT', '/digest-settings', { frequency: null, language: 'en' })).status).toBe(200);
  });
});
