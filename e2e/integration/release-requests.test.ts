import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApproveOutcome, ReleaseRequestListResponse, ReleaseRequestView } from '../../shared/requests';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages, textOf, waitForInbox } from '../support/mailbox';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { stackEnv } from '../support/stack';
import { amavisModels } from '../support/amavis-models';

// The request workflow end to end: notifications go out over LMTP into the real Dovecot INBOXes.
describe('release requests', () => {
  let server: TestServer;
  let alice: ApiSession;
  let admin: ApiSession;
  let bob: ApiSession;

  beforeAll(async () => {
    server = await startTestServer({
      ...ROLE_ENV,
      AQ_SMTP_URL: `lmtp://127.0.0.1:${stackEnv().AQ_LMTP_PORT}`,
      AQ_MAIL_FROM: 'quarantine@example.test',
      AQ_SMTP_CA_FILE: stackEnv().AQ_IMAP_CA_FILE,
      AQ_PUBLIC_URL: 'https://mail.example.test/',
      AQ_NOTIFY_DELAY_MS: '200',
    });
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
    bob = await signedIn(server.url, USERS.bob.email, USERS.bob.password);
  });
  afterAll(() => server.close());

  const rsOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    return (await amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } }))?.rs;
  };
  const fresh = async () => {
    const subject = `Request test ${Math.random().toString(36).slice(2)}`;
    return { subject, id: Object.values(await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject }))[0]! };
  };
  const requestedMailIds: string[] = [];
  const requestRelease = async (id: string) => {
    requestedMailIds.push(decodeMessageRef(id)!.mailId);
    const res = await alice.request('POST', `/messages/${id}/request-release`, {});
    expect(res.status, await res.clone().text()).toBe(201);
    return bodyOf<ReleaseRequestView>(res);
  };

  it('notifies the admin, and approving delivers the message and tells alice', async () => {
    const { subject, id } = await fresh();
    const request = await requestRelease(id);
    expect(request.status).toBe('pending');
    expect(await rsOf(id)).toBe('p');

    const hasSubject = (text: string) => text.includes(subject);
    const notices = await Promise.all((await waitForInbox(USERS.admin, 'subject', 'new release request', hasSubject)).map(textOf));
    const notice = notices.find(hasSubject);
    expect(notice).toBeDefined();
    expect(notice).toContain(`alice@example.test asks to release "${subject}"`);
    expect(notice).toContain(`https://mail.example.test/#aq-request=${request.id}`);
    expect(await waitForInbox(USERS.super, 'subject', 'new release request', hasSubject)).toHaveLength(1);

    const pending = (await bodyOf<ReleaseRequestListResponse>(await admin.get('/requests'))).items;
    expect(pending.map((r) => r.id)).toContain(request.id);
    // bob is not an admin: he may not see or decide requests.
    expect((await bob.get('/requests')).status).toBe(403);
    expect((await bob.request('POST', `/requests/${request.id}/approve`, {})).status).toBe(403);

    const approved = await admin.request('POST', `/requests/${request.id}/approve`, {});
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect((await bodyOf<ApproveOutcome>(approved)).request.status).toBe('approved');
    // The released mail itself (it carries GTUBE), and the separate outcome notice.
    expect(await waitForInbox(USERS.alice, 'subject', subject, (text) => text.includes(GTUBE))).toHaveLength(1);
    expect(await waitForInbox(USERS.alice, 'subject', `release approved: ${subject}`)).toHaveLength(1);
    expect(await rsOf(id)).toBe('R');
  });

  it('denying keeps the message, tells alice with the note, and restores its status', async () => {
    const { subject, id } = await fresh();
    const request = await requestRelease(id);
    const denied = await admin.request('POST', `/requests/${request.id}/deny`, { note: 'This really is a phishing mail.' });
    expect(denied.status).toBe(200);
    expect((await bodyOf<ReleaseRequestView>(denied)).status).toBe('denied');
    const outcome = await waitForInbox(USERS.alice, 'subject', `release denied: ${subject}`);
    expect(outcome).toHaveLength(1);
    expect(await textOf(outcome[0]!)).toContain('This really is a phishing mail.');
    const copies = await Promise.all((await inboxMessages(USERS.alice, 'subject', subject)).map(textOf));
    expect(copies.filter((text) => text.includes(GTUBE))).toEqual([]);
    expect(await rsOf(id)).toBe('');
  });

  it('lets the requester cancel, and nobody else', async () => {
    const { id } = await fresh();
    const request = await requestRelease(id);
    expect((await bob.request('POST', `/requests/${request.id}/cancel`, {})).status).toBe(404);
    const cancelled = await alice.request('POST', `/requests/${request.id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(await rsOf(id)).toBe('');
    // A decided request is a conflict, not a missing one.
    expect((await admin.request('POST', `/requests/${request.id}/approve`, {})).status).toBe(409);
  });

  it("tells the admins the requester's note, on lines of its own that a CR/LF cannot forge", async () => {
    const { subject, id } = await fresh();
    requestedMailIds.push(decodeMessageRef(id)!.mailId);
    const forged = 'I need it for the audit.\r\n- mallory@example.test asks to release "x": https://evil.example/';
    const res = await alice.request('POST', `/messages/${id}/request-release`, { note: forged });
    expect(res.status, await res.clone().text()).toBe(201);
    const request = await bodyOf<ReleaseRequestView>(res);
    expect((await server.context.appModels.ReleaseRequest.findByPk(request.id))?.request_note).toBe(forged);

    const hasSubject = (text: string) => text.includes(subject);
    const notice = (await Promise.all((await waitForInbox(USERS.admin, 'subject', 'new release request', hasSubject)).map(textOf))).find(hasSubject) ?? '';
    const lines = notice.split(/\r?\n/);
    const entry = lines.findIndex((line) => line.includes(`"${subject}"`));
    expect(lines[entry]).toContain(`https://mail.example.test/#aq-request=${request.id}`);
    // The note is on the entry's next line, flattened: no line of the mail starts with the forged entry.
    expect(lines[entry + 1]).toBe('  Their note: I need it for the audit. - mallory@example.test asks to release "x": https://evil.example/');
    expect(lines.filter((line) => line.startsWith('- mallory@'))).toEqual([]);
  });

  it('refuses a note over 1000 characters, and takes none', async () => {
    const { id } = await fresh();
    const long = await alice.request('POST', `/messages/${id}/request-release`, { note: 'x'.repeat(1001) });
    expect(long.status).toBe(400);
    expect((await errorOf(long)).code).toBe('validation_failed');
    expect(await rsOf(id)).not.toBe('p');
    const none = await requestRelease(id);
    expect((await server.context.appModels.ReleaseRequest.findByPk(none.id))?.request_note).toBeNull();
  });

  it('adds the request_note column to a table created before it', async () => {
    const queries = server.context.appModels.ReleaseRequest.sequelize!.getQueryInterface();
    await queries.removeColumn('aq_release_requests', 'request_note');
    expect(await queries.describeTable('aq_release_requests')).not.toHaveProperty('request_note');
    await server.context.ready();
    expect(await queries.describeTable('aq_release_requests')).toHaveProperty('request_note');
  });

  it('records requests and decisions in the audit log', async () => {
    const rows = await server.context.appModels.Audit.findAll({ where: { mail_id: requestedMailIds }, order: [['id', 'ASC']] });
    const byActor = (actor: string) => new Set(rows.filter((r) => r.get('actor') === actor).map((r) => r.get('action')));
    expect(byActor('alice@example.test')).toEqual(new Set(['request', 'cancel']));
    expect(byActor('admin@example.test')).toEqual(new Set(['release', 'approve', 'deny']));
  });
});
