import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { signLinkToken } from '../../server/services/link-token';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { amavisModels } from '../support/amavis-models';
import { inboxMessages } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

// A copy is released only while it is still held for that action. Seen for real before the rs writer had
// one home: a user requested the release of a mail, deleted it, an admin approved the stale request, and
// the deleted mail landed in the INBOX.
const LINK_SECRET = 'stale-request-test-link-secret-0123456789';

describe('stale actions on a copy that changed meanwhile', () => {
  let server: TestServer;
  let alice: ApiSession;
  let admin: ApiSession;

  beforeAll(async () => {
    server = await startTestServer({ ...ROLE_ENV, AQ_SELF_SERVICE: 'true', AQ_LINK_SECRET: LINK_SECRET });
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
  });
  afterAll(() => server.close());

  const fresh = async () => {
    const subject = `Stale ${Math.random().toString(36).slice(2)}`;
    return { subject, id: Object.values(await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject }))[0]! };
  };
  const rsOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    return (await amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } }))?.rs;
  };
  const auditOf = async (id: string) =>
    (await server.context.appModels.Audit.findAll({ where: { mail_id: decodeMessageRef(id)!.mailId }, order: [['id', 'ASC']] })).map(
      (r) => `${r.get('action')}:${r.get('result')}`,
    );

  it('request, then delete, then approve: refused with 409, and the INBOX stays empty', async () => {
    const { subject, id } = await fresh();
    const requested = await alice.request('POST', `/messages/${id}/request-release`, {});
    expect(requested.status).toBe(201);
    const request = await bodyOf<{ id: number }>(requested);
    expect(await rsOf(id)).toBe('p');

    expect((await alice.request('POST', `/messages/${id}/delete`, {})).status).toBe(200);
    expect(await rsOf(id)).toBe('D');
    // Deleting withdrew the request: the admin sees it cancelled, not pending.
    const pending = (await bodyOf<{ items: Array<{ id: number }> }>(await admin.get('/requests'))).items.map((r) => r.id);
    expect(pending).not.toContain(request.id);
    const cancelled = (await bodyOf<{ items: Array<{ id: number }> }>(await admin.get('/requests?status=cancelled'))).items.map((r) => r.id);
    expect(cancelled).toContain(request.id);

    const approved = await admin.request('POST', `/requests/${request.id}/approve`, {});
    expect(approved.status).toBe(409);
    const error = await errorOf(approved);
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/cancelled/);
    expect(await rsOf(id)).toBe('D');
    // Nothing went to amavisd, so nothing can arrive later: no release was even attempted.
    expect((await auditOf(id)).filter((entry) => entry.startsWith('release'))).toEqual([]);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);
  });

  it('approve of a request whose copy was deleted by another tool: 409, nothing sent, the request closed', async () => {
    const { subject, id } = await fresh();
    const request = await bodyOf<{ id: number }>(await alice.request('POST', `/messages/${id}/request-release`, {}));
    // Another quarantine manager sharing the database (MailZu, modoboa) marks the copy deleted.
    const ref = decodeMessageRef(id)!;
    await amavisModels(server.context).Msgrcpt.update({ rs: 'D' }, { where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } });

    const approved = await admin.request('POST', `/requests/${request.id}/approve`, {});
    expect(approved.status).toBe(409);
    expect((await errorOf(approved)).message).toMatch(/deleted/);
    expect(await rsOf(id)).toBe('D');
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);
    const again = await admin.request('POST', `/requests/${request.id}/approve`, {});
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toMatch(/cancelled/);
  });

  it('a self-service release of a deleted copy: 409, nothing sent', async () => {
    const { subject, id } = await fresh();
    const token = signLinkToken(LINK_SECRET, decodeMessageRef(id)!, Math.floor(Date.now() / 1000) + 3600);
    expect((await alice.request('POST', `/messages/${id}/delete`, {})).status).toBe(200);
    const res = await fetch(`${server.url}/api/self-service`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token, action: 'release' }),
    });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('conflict');
    expect(await rsOf(id)).toBe('D');
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);
  });

  it('a user releasing a copy they deleted in another tab: 409, not a silent success', async () => {
    const { subject, id } = await fresh();
    expect((await alice.request('POST', `/messages/${id}/delete`, {})).status).toBe(200);
    const res = await alice.request('POST', `/messages/${id}/release`, {});
    expect(res.status).toBe(409);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);
    // Deleting again is no error: the wish holds.
    expect((await alice.request('POST', `/messages/${id}/delete`, {})).status).toBe(200);
  });
});
