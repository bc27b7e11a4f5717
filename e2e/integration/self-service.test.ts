import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../shared/message';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { bodyOf, errorOf, ROLE_ENV, USERS } from '../support/api-client';
import { inboxMessages } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { amavisModels } from '../support/amavis-models';

// The links amavisd's notifications can carry: mail_id + secret_id + recipient, no sign-in.
describe('self-service links', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...ROLE_ENV, AQ_SELF_SERVICE: 'true' });
  });
  afterAll(() => server.close());

  async function fresh() {
    const subject = `Self-service ${Math.random().toString(36).slice(2)}`;
    const ids = await sendThroughAmavis(server.context, { to: ['alice@example.test', 'bob@example.test'], subject });
    const ref = decodeMessageRef(ids['alice@example.test']!)!;
    const msg = await amavisModels(server.context).Msg.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId } });
    return { subject, ids, mailId: ref.mailId, secretId: msg!.secret_id };
  }
  const rsOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    return (await amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } }))?.rs;
  };
  const view = (q: Record<string, string>) => fetch(`${server.url}/api/self-service?${new URLSearchParams(q)}`);
  const act = (body: Record<string, string>) =>
    fetch(`${server.url}/api/self-service`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('shows and releases the message for that recipient with the right secret', async () => {
    const { subject, ids, mailId, secretId } = await fresh();
    const shown = await view({ mail_id: mailId, secret_id: secretId, rcpt: 'alice@example.test' });
    expect(shown.status).toBe(200);
    expect((await bodyOf<MessageDetail>(shown)).item.subject).toBe(subject);
    const released = await act({ mail_id: mailId, secret_id: secretId, rcpt: 'alice@example.test', action: 'release' });
    expect(released.status, await released.clone().text()).toBe(200);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', subject)).toEqual([]);
    expect(await rsOf(ids['alice@example.test']!)).toBe('R');
    expect(await rsOf(ids['bob@example.test']!)).toBe('');
  });

  it('answers 404 and does nothing for a wrong secret or another recipient', async () => {
    const { subject, ids, mailId, secretId } = await fresh();
    const wrongSecret = secretId.slice(0, -1) + (secretId.endsWith('A') ? 'B' : 'A');
    for (const body of [
      { mail_id: mailId, secret_id: wrongSecret, rcpt: 'alice@example.test', action: 'release' },
      { mail_id: mailId, secret_id: secretId, rcpt: 'carol@other.test', action: 'release' },
      { mail_id: 'ForgedMail01', secret_id: secretId, rcpt: 'alice@example.test', action: 'release' },
    ]) {
      const res = await act(body);
      expect(res.status, JSON.stringify(body)).toBe(404);
      expect((await errorOf(res)).code).toBe('not_found');
    }
    expect((await view({ mail_id: mailId, secret_id: wrongSecret, rcpt: 'alice@example.test' })).status).toBe(404);
    expect(await rsOf(ids['alice@example.test']!)).toBe('');
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);
  });

  it('acts only on the recipient the link names', async () => {
    const { ids, mailId, secretId } = await fresh();
    const res = await act({ mail_id: mailId, secret_id: secretId, rcpt: 'bob@example.test', action: 'delete' });
    expect(res.status).toBe(200);
    expect(await rsOf(ids['bob@example.test']!)).toBe('D');
    expect(await rsOf(ids['alice@example.test']!)).toBe('');
  });

  it('is off unless AQ_SELF_SERVICE=true', async () => {
    const off = await startTestServer(ROLE_ENV);
    try {
      const { mailId, secretId } = await fresh();
      const res = await fetch(`${off.url}/api/self-service?${new URLSearchParams({ mail_id: mailId, secret_id: secretId, rcpt: 'alice@example.test' })}`);
      expect(res.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
