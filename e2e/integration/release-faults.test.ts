import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../shared/message';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { AdminReleaseOutcome, ReleaseOutcome } from '../../shared/release';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import type { AppContext } from '../../server/context';
import { amavisModels } from '../support/amavis-models';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { startServerProcess } from '../support/server-process';
import { stackEnv } from '../support/stack';
import { startTcpProxy, targetOf, throughProxy } from '../support/tcp-proxy';

/**
 * A relay in front of amavisd's AM.PDP port that passes the request on and then holds or drops
 * amavisd's reply: amavisd really delivers, and the server never hears about it. Which of the two
 * happened first is decided by the test (through the INBOX), not by a clock.
 */
async function startPdpRelay(mode: 'hold' | 'drop' | 'pass') {
  const target = new URL(stackEnv().AQ_PDP.replace(/^tcp:/, 'http:'));
  const held: Array<{ to: net.Socket; data: Buffer }> = [];
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (data) => {
      requests += (data.toString().match(/request=release/g) ?? []).length;
      upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (relay.mode === 'pass') client.write(data);
      else if (relay.mode === 'hold') held.push({ to: client, data });
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('close', drop).on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relay = {
    mode,
    endpoint: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    /** Sends amavisd's held replies on, in order. */
    flush() {
      for (const { to, data } of held.splice(0)) if (!to.destroyed) to.write(data);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return relay;
}

const refOf = (id: string) => decodeMessageRef(id)!;
const subjectOf = () => `Release fault ${Math.random().toString(36).slice(2)}`;

async function intentsOf(context: AppContext, id: string) {
  const ref = refOf(id);
  const rows = await context.appModels.ReleaseIntent.findAll({
    where: { mail_id: ref.mailId, partition_tag: ref.partitionTag, rseqnum: ref.rseqnum },
    order: [['id', 'ASC']],
  });
  return rows.map((r) => r.get({ plain: true }) as { status: string; claim: string | null });
}
async function auditResults(context: AppContext, id: string, action = 'release') {
  const ref = refOf(id);
  const rows = await context.appModels.Audit.findAll({ where: { mail_id: ref.mailId, rseqnum: ref.rseqnum, action }, order: [['id', 'ASC']] });
  return rows.map((r) => r.get('result'));
}
async function rsOf(context: AppContext, id: string) {
  const ref = refOf(id);
  return (await amavisModels(context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } }))?.rs;
}

// Releases through the real amavisd, with the faults of issue #11 produced on purpose: a lost reply, a
// killed server, a cut database connection, a delete racing the release. Each checks the INBOX.
/** The first of these subjects to reach alice's INBOX, waiting up to a minute (amavisd delivers in a moment). */
async function firstDelivered(subjects: string[]): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const subject of subjects) if ((await inboxMessages(USERS.alice, 'subject', subject)).length > 0) return subject;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

describe('release faults', () => {
  let server: TestServer;
  let alice: ApiSession;

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
  });
  afterAll(() => server?.close());

  const fresh = async (context: AppContext = server.context) => {
    const subject = subjectOf();
    const ids = await sendThroughAmavis(context, { to: ['alice@example.test'], subject });
    return { subject, id: ids['alice@example.test']! };
  };

  it('shows a release whose reply was lost as unknown; only a confirmed retry sends a second copy', async () => {
    const relay = await startPdpRelay('drop');
    // A short wait is fine here: the reply never comes, however long it is.
    const lossy = await startTestServer({ ...ROLE_ENV, AQ_PDP: relay.endpoint, AQ_PDP_TIMEOUT_MS: '2000' });
    try {
      const { subject, id } = await fresh();
      const session = await signedIn(lossy.url, USERS.alice.email, USERS.alice.password);
      const first = await session.request('POST', `/messages/${id}/release`, {});
      expect(first.status, await first.clone().text()).toBe(504);
      expect((await errorOf(first)).code).toBe('release_unknown');
      expect(relay.requests()).toBe(1);
      // amavisd delivered all the same.
      expect(await waitForInbox(USERS.alice, 'subject', subject)).toHaveLength(1);

      const view = await bodyOf<MessageDetail>(await alice.get(`/messages/${id}`));
      expect(view.item.releaseState).toMatchObject({ state: 'unknown', by: 'alice@example.test' });
      const list = await bodyOf<QuarantineListResponse>(await alice.get(`/messages?q=${encodeURIComponent(subject)}`));
      expect(list.items.find((i) => i.id === id)?.releaseState?.state).toBe('unknown');
      expect(await auditResults(server.context, id)).toEqual(['unknown']);

      const plain = await alice.request('POST', `/messages/${id}/release`, {});
      expect(plain.status).toBe(409);
      expect((await errorOf(plain)).code).toBe('release_outcome_unknown');
      expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);

      const confirmed = await alice.request('POST', `/messages/${id}/release`, { confirmUnknown: true });
      expect(confirmed.status, await confirmed.clone().text()).toBe(200);
      expect(await bodyOf<ReleaseOutcome>(confirmed)).toMatchObject({ status: 'released', alreadyReleased: false });
      expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(2);
      expect(await rsOf(server.context, id)).toBe('R');
      expect((await intentsOf(server.context, id)).map((i) => i.status)).toEqual(['unknown', 'delivered']);
      expect((await bodyOf<MessageDetail>(await alice.get(`/messages/${id}`))).item.releaseState).toBeUndefined();
    } finally {
      await lossy.close();
      await relay.close();
    }
  });

  it('after a crash mid-release, every delivered copy shows unknown, and re-running delivers nothing twice', async () => {
    const relay = await startPdpRelay('drop');
    const mails = [await fresh(), await fresh(), await fresh()];
    const child = await startServerProcess({ ...ROLE_ENV, AQ_PDP: relay.endpoint });
    let killed = false;
    try {
      const session = await signedIn(child.url, USERS.alice.email, USERS.alice.password);
      const releases = mails.map((m) => session.request('POST', `/messages/${m.id}/release`, {}).catch(() => undefined));
      // Killed once amavisd delivered a first copy (whichever release took the first turn): the server was
      // waiting for amavisd's answer, which the relay drops.
      expect(await firstDelivered(mails.map((m) => m.subject))).toBeDefined();
      await child.kill();
      killed = true;
      await Promise.all(releases);
    } finally {
      if (!killed) await child.kill();
      await relay.close();
    }

    // The restart (ready()) turns the attempts left open into unknown ones.
    const restarted = await startTestServer(ROLE_ENV);
    try {
      const session = await signedIn(restarted.url, USERS.alice.email, USERS.alice.password);
      const before = await Promise.all(mails.map((m) => inboxMessages(USERS.alice, 'subject', m.subject).then((found) => found.length)));
      for (const [i, m] of mails.entries()) {
        const item = (await bodyOf<MessageDetail>(await session.get(`/messages/${m.id}`))).item;
        if (before[i]! > 0) expect(item.status === 'released' || item.releaseState?.state === 'unknown', JSON.stringify(item)).toBe(true);
      }
      const deliveredFirst = mails.find((_, i) => before[i]! > 0)!;
      expect(await auditResults(restarted.context, deliveredFirst.id)).toContain('unknown');

      const again = await Promise.all(mails.map((m) => session.request('POST', `/messages/${m.id}/release`, {})));
      for (const [i, res] of again.entries()) {
        if (before[i]! > 0) {
          expect(res.status).toBe(409);
          expect((await errorOf(res)).code).toBe('release_outcome_unknown');
        } else {
          // Attempts that never reached amavisd before the kill are unknown too, or were never written.
          expect([200, 409]).toContain(res.status);
        }
      }
      for (const m of mails) expect((await inboxMessages(USERS.alice, 'subject', m.subject)).length).toBeLessThanOrEqual(1);
    } finally {
      await restarted.close();
    }
  }, 180_000);

  it('a database connection cut right after delivery leaves the copy released, and a retry sends nothing', async () => {
    const relay = await startPdpRelay('hold');
    const url = stackEnv().AQ_DB_URL;
    const amavisDb = await startTcpProxy(targetOf(url));
    const appDb = await startTcpProxy(targetOf(url));
    const cut = await startTestServer({ ...ROLE_ENV, AQ_PDP: relay.endpoint, AQ_DB_URL: throughProxy(url, amavisDb), AQ_APP_DB_URL: throughProxy(url, appDb) });
    try {
      const { subject, id } = await fresh();
      const session = await signedIn(cut.url, USERS.alice.email, USERS.alice.password);
      const release = session.request('POST', `/messages/${id}/release`, {});
      expect(await waitForInbox(USERS.alice, 'subject', subject, undefined, 60_000)).toHaveLength(1);
      // amavisd delivered; its answer is held. Every database connection goes, then the answer arrives.
      amavisDb.cut();
      appDb.cut();
      relay.flush();
      const res = await release;
      // Whatever the answer, the delivery is recorded as one, and no retry sends a second copy.
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await intentsOf(server.context, id)).map((i) => i.status)).toEqual(['delivered']);
      expect(await auditResults(server.context, id)).toEqual(['ok']);

      const view = (await bodyOf<MessageDetail>(await alice.get(`/messages/${id}`))).item;
      expect(view.status).toBe('released');
      const retry = await alice.request('POST', `/messages/${id}/release`, {});
      expect(retry.status).toBe(200);
      expect(await bodyOf<ReleaseOutcome>(retry)).toMatchObject({ alreadyReleased: true });
      const confirmed = await alice.request('POST', `/messages/${id}/release`, { confirmUnknown: true });
      expect(await bodyOf<ReleaseOutcome>(confirmed)).toMatchObject({ alreadyReleased: true });
      expect(await rsOf(server.context, id)).toBe('R');
      expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
    } finally {
      await cut.close();
      await relay.close();
      await Promise.all([amavisDb.close(), appDb.close()]);
    }
  });

  it('serialises a delete racing a release, 20 rounds: no 500, and the record matches the INBOX', async () => {
    const mails = [];
    for (let i = 0; i < 20; i++) mails.push(await fresh());
    for (const { subject, id } of mails) {
      const [release, remove] = await Promise.all([alice.request('POST', `/messages/${id}/release`, {}), alice.request('POST', `/messages/${id}/delete`, {})]);
      expect([200, 409], await release.clone().text()).toContain(release.status);
      expect([200, 409], await remove.clone().text()).toContain(remove.status);
      const inbox = (await inboxMessages(USERS.alice, 'subject', subject)).length;
      const delivered = (await auditResults(server.context, id)).filter((r) => r === 'ok').length;
      const intents = await intentsOf(server.context, id);
      expect(inbox).toBe(delivered);
      expect(intents.filter((i) => i.status === 'delivered')).toHaveLength(inbox);
      expect(intents.every((i) => i.claim === null)).toBe(true);
      expect(release.status === 200).toBe(inbox === 1);
      // The copy ends deleted if the delete went through, released otherwise.
      expect(await rsOf(server.context, id)).toBe(remove.status === 200 ? 'D' : 'R');
    }
  });

  it('answers 502 with amavisd\u2019s reply when an admin releases to an address the mail server refuses', async () => {
    const admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
    const { id } = await fresh();
    const res = await admin.request('POST', `/messages/${id}/release`, { to: 'nobody-here@example.test' });
    expect(res.status, await res.clone().text()).toBe(502);
    const body = await errorOf(res);
    expect(body.code).toBe('release_failed');
    expect(body.message).toMatch(/nobody-here@example\.test: 5\d\d/);
    expect((body.details as { results: AdminReleaseOutcome['results'] }).results).toEqual([
      expect.objectContaining({ recipient: 'nobody-here@example.test', delivered: false }),
    ]);
    expect(await rsOf(server.context, id)).toBe('');
  });
});
