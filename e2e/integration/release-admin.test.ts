import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminReleaseOutcome } from '../../shared/release';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { amavisModels } from '../support/amavis-models';
import { stackEnv } from '../support/stack';

describe('admin releases, amavis host routing, and a release whose outcome is unknown', () => {
  let server: TestServer;
  let admin: ApiSession;
  let alice: ApiSession;

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
  });
  afterAll(() => server.close());

  const fresh = async (context = server.context) => {
    const subject = `Admin release ${Math.random().toString(36).slice(2)}`;
    return { subject, ids: await sendThroughAmavis(context, { to: ['alice@example.test', 'bob@example.test'], subject }) };
  };
  const rsOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    return (await amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } }))?.rs;
  };
  const auditOf = async (id: string) => server.context.appModels.Audit.findAll({ where: { mail_id: decodeMessageRef(id)!.mailId }, order: [['id', 'ASC']] });

  it('lets an admin release to every blocked recipient, per recipient and logged', async () => {
    const { subject, ids } = await fresh();
    const res = await admin.request('POST', `/messages/${ids['alice@example.test']}/release`, { allRecipients: true });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await bodyOf<AdminReleaseOutcome>(res);
    expect(body.results.map((r) => [r.recipient, r.delivered]).sort()).toEqual([
      ['alice@example.test', true],
      ['bob@example.test', true],
    ]);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', subject)).toHaveLength(1);
    expect(await rsOf(ids['alice@example.test']!)).toBe('R');
    expect(await rsOf(ids['bob@example.test']!)).toBe('R');
    const entries = await auditOf(ids['alice@example.test']!);
    expect(entries.map((e) => e.get('detail'))).toEqual(['admin release to all blocked recipients', 'admin release to all blocked recipients']);
  });

  it('lets an admin release to another address without marking the copy released', async () => {
    const { subject, ids } = await fresh();
    const res = await admin.request('POST', `/messages/${ids['alice@example.test']}/release`, { to: 'admin@example.test' });
    expect(res.status).toBe(200);
    expect(await inboxMessages(USERS.admin, 'subject', subject)).toHaveLength(1);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);
    expect(await rsOf(ids['alice@example.test']!)).toBe('');
    expect((await auditOf(ids['alice@example.test']!))[0]).toMatchObject({ recipient: 'admin@example.test', result: 'ok' });
  });

  it('refuses those options to users', async () => {
    const { ids } = await fresh();
    expect((await alice.request('POST', `/messages/${ids['alice@example.test']}/release`, { to: 'alice@example.test' })).status).toBe(403);
    expect((await alice.request('POST', `/messages/${ids['alice@example.test']}/release`, { allRecipients: true })).status).toBe(403);
  });

  it('sends each message to the AM.PDP endpoint of the amavis host that stored it', async () => {
    const { ids } = await fresh();
    const [msg] = await amavisModels(server.context).Msg.findAll({ where: { mail_id: decodeMessageRef(ids['alice@example.test']!)!.mailId } });
    // msgs.host names this amavisd: mapped to its real bank, everything else to a closed port.
    const bank = stackEnv().AQ_PDP;
    const routed = await startTestServer({ ...ROLE_ENV, AQ_PDP: `${msg!.host}=${bank},*=tcp://127.0.0.1:1` });
    const misrouted = await startTestServer({ ...ROLE_ENV, AQ_PDP: `other-amavis.example.test=${bank},*=tcp://127.0.0.1:1` });
    try {
      const viaMap = await signedIn(routed.url, USERS.alice.email, USERS.alice.password);
      expect((await viaMap.request('POST', `/messages/${ids['alice@example.test']}/release`, {})).status).toBe(200);
      const viaDefault = await signedIn(misrouted.url, USERS.bob.email, USERS.bob.password);
      const refused = await viaDefault.request('POST', `/messages/${ids['bob@example.test']}/release`, {});
      expect(refused.status).toBe(503);
      expect(await rsOf(ids['bob@example.test']!)).toBe('');
    } finally {
      await routed.close();
      await misrouted.close();
    }
  });

  it('records a release as unknown when the request went out and no answer came, and does not retry', async () => {
    // A peer that takes the request and never answers: the one case real amavisd cannot produce on demand.
    let requests = 0;
    const silent = net.createServer((socket) => socket.on('data', (d) => (requests += (d.toString().match(/request=release/g) ?? []).length)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const slow = await startTestServer({ ...ROLE_ENV, AQ_PDP: `tcp://127.0.0.1:${port}`, AQ_PDP_TIMEOUT_MS: '500' });
    try {
      const { ids } = await fresh();
      const session = await signedIn(slow.url, USERS.alice.email, USERS.alice.password);
      const res = await session.request('POST', `/messages/${ids['alice@example.test']}/release`, {});
      expect(res.status).toBe(504);
      expect((await errorOf(res)).code).toBe('release_unknown');
      expect(requests).toBe(1);
      expect(await rsOf(ids['alice@example.test']!)).toBe('');
      expect((await auditOf(ids['alice@example.test']!))[0]).toMatchObject({ result: 'unknown' });
    } finally {
      await slow.close();
      silent.close();
    }
  });
});
