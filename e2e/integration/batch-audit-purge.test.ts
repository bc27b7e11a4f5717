import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditListResponse } from '../../shared/audit';
import type { BatchResponse } from '../../shared/release';
import { decodeMessageRef, encodeMessageRef } from '../../server/amavis/message-ref';
import { bodyOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages } from '../support/mailbox';
import { seedId } from '../support/seed-ids';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { amavisModels } from '../support/amavis-models';

describe('batch actions, the audit log and purge', () => {
  let server: TestServer;
  let alice: ApiSession;
  let admin: ApiSession;
  let root: ApiSession;

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
    root = await signedIn(server.url, USERS.super.email, USERS.super.password);
  });
  afterAll(() => server.close());

  const send = async (to: string[], subject = `Batch test ${Math.random().toString(36).slice(2)}`) => ({
    subject,
    ids: await sendThroughAmavis(server.context, { to, subject }),
  });

  it('runs a batch with a result per id, each id checked on its own', async () => {
    const one = await send(['alice@example.test']);
    const two = await send(['alice@example.test']);
    const bobs = await send(['bob@example.test']);
    const banned = await seedId(server.context, 'banned');
    const forged = encodeMessageRef({ partitionTag: 0, mailId: 'ForgedMail01', rseqnum: 1 });
    const ids = [one.ids['alice@example.test']!, two.ids['alice@example.test']!, bobs.ids['bob@example.test']!, banned, forged];
    const res = await alice.request('POST', '/messages/batch', { action: 'release', ids });
    expect(res.status).toBe(200);
    const { results } = await bodyOf<BatchResponse>(res);
    expect(results.map((r) => [r.id, r.ok, r.ok ? r.status : r.httpStatus])).toEqual([
      [ids[0], true, 'released'],
      [ids[1], true, 'released'],
      [ids[2], false, 404],
      [ids[3], false, 403],
      [ids[4], false, 404],
    ]);
    expect(await inboxMessages(USERS.alice, 'subject', one.subject)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', bobs.subject)).toEqual([]);
  });

  it('refuses batches over 500 ids, and without the CSRF token', async () => {
    const big = await alice.request('POST', '/messages/batch', { action: 'delete', ids: Array.from({ length: 501 }, (_, i) => `id${i}`) });
    expect(big.status).toBe(400);
    const noToken = await alice.request('POST', '/messages/batch', { action: 'delete', ids: ['x'] }, { 'X-CSRF-Token': 'nope' });
    expect(noToken.status).toBe(403);
  });

  it('audits an admin viewing someone else\u2019s mail, and shows the log to super users only', async () => {
    const { ids } = await send(['alice@example.test']);
    const id = ids['alice@example.test']!;
    expect((await admin.get(`/messages/${id}`)).status).toBe(200);
    const ref = decodeMessageRef(id)!;
    const log = await root.get(`/audit?mail_id=${ref.mailId}`);
    expect(log.status).toBe(200);
    const { items } = await bodyOf<AuditListResponse>(log);
    expect(items).toEqual([expect.objectContaining({ actor: 'admin@example.test', action: 'view', recipient: 'alice@example.test', result: 'ok' })]);
    expect((await alice.get('/audit')).status).toBe(403);
    expect((await admin.get('/audit')).status).toBe(403);
    const failures = await bodyOf<AuditListResponse>(await root.get('/audit?action=release&result=failed&limit=5'));
    expect(failures.items.every((e) => e.action === 'release' && e.result === 'failed')).toBe(true);
  });

  it('purges a message only when every recipient has released or deleted it', async () => {
    const { ids } = await send(['alice@example.test', 'bob@example.test']);
    const aliceId = ids['alice@example.test']!;
    const bobId = ids['bob@example.test']!;
    await alice.request('POST', `/messages/${aliceId}/delete`, {});
    const early = await root.request('POST', `/messages/${aliceId}/purge`, {});
    expect(early.status).toBe(409);
    expect((await admin.request('POST', `/messages/${aliceId}/purge`, {})).status).toBe(403);

    const bob = await signedIn(server.url, USERS.bob.email, USERS.bob.password);
    expect((await bob.request('POST', `/messages/${bobId}/release`, {})).status).toBe(200);
    const purged = await root.request('POST', `/messages/${aliceId}/purge`, {});
    expect(purged.status).toBe(200);
    const ref = decodeMessageRef(aliceId)!;
    const where = { partition_tag: ref.partitionTag, mail_id: ref.mailId };
    expect(await amavisModels(server.context).Msg.count({ where })).toBe(0);
    expect(await amavisModels(server.context).Msgrcpt.count({ where })).toBe(0);
    expect(await amavisModels(server.context).Quarantine.count({ where })).toBe(0);
  });
});
