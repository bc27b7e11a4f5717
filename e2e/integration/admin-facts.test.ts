import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditListResponse } from '../../shared/audit';
import type { ReleaseRequestListResponse } from '../../shared/requests';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

// What the admin screens show of a message they name, read from amavis's own msgs row (written by the
// real amavisd): a request's type, spam score and senders, an audit entry's subject. On MariaDB and PostgreSQL.
describe('requests and audit entries name their message', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ...ROLE_ENV, AQ_RELEASE_POLICY: 'spam=request' });
  });
  afterAll(() => server?.close());

  it('a request carries its type, score and senders, an audit entry its subject', async () => {
    const subject = `Facts ${Math.random().toString(36).slice(2, 8)} Grüße`;
    const id = (await sendThroughAmavis(server.context, { to: [USERS.alice.email], subject }))[USERS.alice.email]!;
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const asked = await alice.request('POST', `/messages/${encodeURIComponent(id)}/request-release`, { note: 'mine' });
    expect(asked.status, await asked.clone().text()).toBe(201);

    const admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
    const { items } = await bodyOf<ReleaseRequestListResponse>(await admin.request('GET', '/requests?status=pending'));
    const request = items.find((r) => r.messageId === id);
    expect(request).toMatchObject({ subject, type: 'spam', requestNote: 'mine' });
    expect(request!.spamLevel).toBeGreaterThan(100);
    // The senders the widget compares to see a forged one (send-mail's default envelope sender and From).
    expect(request!.envelopeFrom).toBe('test-sender@sender.example.net');
    expect(request!.headerFrom).toContain('test-sender@sender.example.net');

    const root = await signedIn(server.url, USERS.super.email, USERS.super.password);
    const mailId = decodeMessageRef(id)!.mailId;
    const audit = await bodyOf<AuditListResponse>(await root.request('GET', `/audit?mail_id=${encodeURIComponent(mailId)}&action=request`));
    expect(audit.items.map((e) => [e.actor, e.subject])).toEqual([[USERS.alice.email, subject]]);
  });
});
