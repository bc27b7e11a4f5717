import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseOutcome } from '../../shared/release';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { ApiSession, bodyOf, errorOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { inboxMessages } from '../support/mailbox';
import { seedId } from '../support/seed-ids';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { stackCtl } from '../support/stack';
import { amavisModels } from '../support/amavis-models';

// Releases go through the real amavisd's AM.PDP and land, through Dovecot's LMTP, in the real INBOX.
describe('release and delete against amavisd', () => {
  let server: TestServer;
  let alice: ApiSession;

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
  });
  afterAll(() => server.close());

  const rowOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    return amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } });
  };
  const auditOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    return server.context.appModels.Audit.findAll({ where: { mail_id: ref.mailId, rseqnum: ref.rseqnum }, order: [['id', 'ASC']] });
  };
  const fresh = async (to = ['alice@example.test']) => {
    const subject = `Release test ${Math.random().toString(36).slice(2)}`;
    return { subject, ids: await sendThroughAmavis(server.context, { to, subject }) };
  };

  it('releases alice\u2019s part of a multi-recipient spam to her alone', async () => {
    const { subject, ids } = await fresh(['alice@example.test', 'bob@example.test']);
    const res = await alice.request('POST', `/messages/${ids['alice@example.test']}/release`, {});
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await bodyOf<ReleaseOutcome>(res);
    expect(body).toMatchObject({ status: 'released', alreadyReleased: false, reply: { code: 250 } });

    const delivered = await inboxMessages(USERS.alice, 'subject', subject);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatch(/^Resent-From: .*alice@example\.test/im);
    expect(await inboxMessages(USERS.bob, 'subject', subject)).toEqual([]);
    expect((await rowOf(ids['alice@example.test']!))?.rs).toBe('R');
    expect((await rowOf(ids['bob@example.test']!))?.rs).toBe('');

    const [entry] = await auditOf(ids['alice@example.test']!);
    expect(entry).toMatchObject({ actor: 'alice@example.test', action: 'release', recipient: 'alice@example.test', result: 'ok', smtp_code: 250 });
  });

  it('releases exactly once when asked 20 times at once, across two instances', async () => {
    const { subject, ids } = await fresh();
    const id = Object.values(ids)[0]!;
    // A second instance with the same session store: the in-process single flight cannot help there,
    // only the row lock can.
    const second = await startTestServer(ROLE_ENV);
    try {
      const other = new ApiSession(second.url);
      other.cookie = alice.cookie;
      other.csrfToken = alice.csrfToken;
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : alice).request('POST', `/messages/${id}/release`, {})));
      const bodies = await Promise.all(answers.map((r) => bodyOf<ReleaseOutcome>(r)));
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(bodies.every((b) => b.status === 'released')).toBe(true);
      expect(bodies.some((b) => b.alreadyReleased === true)).toBe(true);
    } finally {
      await second.close();
    }
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
    expect((await auditOf(id)).filter((e) => e.get('result') === 'ok')).toHaveLength(1);
  });

  it('answers 502 with amavisd\u2019s reply when the secret_id does not match, and changes nothing', async () => {
    const { subject, ids } = await fresh();
    const id = Object.values(ids)[0]!;
    const ref = decodeMessageRef(id)!;
    await server.context.sequelize.query("UPDATE msgs SET secret_id = 'AAAAAAAAAAAA' WHERE partition_tag = :p AND mail_id = :m", {
      replacements: { p: ref.partitionTag, m: ref.mailId },
    });
    const res = await alice.request('POST', `/messages/${id}/release`, {});
    expect(res.status).toBe(502);
    const body = await errorOf(res);
    expect(body.code).toBe('release_failed');
    expect(body.message).toMatch(/does not match mail_id/);
    expect((await rowOf(id))?.rs).toBe('');
    const [entry] = await auditOf(id);
    expect(entry).toMatchObject({ result: 'failed', smtp_code: 450 });
    expect(entry?.get('reply')).toMatch(/Secret_id AAAAAAAAAAAA does not match mail_id/);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toEqual([]);
  });

  describe('with amavisd stopped', () => {
    afterAll(() => stackCtl('start', 'amavisd'));

    it('answers 503, keeps the message, and releases it once amavisd is back', async () => {
      const { subject, ids } = await fresh();
      const id = Object.values(ids)[0]!;
      await stackCtl('stop', 'amavisd');
      const down = await alice.request('POST', `/messages/${id}/release`, {});
      expect(down.status).toBe(503);
      expect((await errorOf(down)).code).toBe('amavis_unavailable');
      expect((await rowOf(id))?.rs).toBe('');
      expect((await auditOf(id))[0]).toMatchObject({ result: 'failed' });

      await stackCtl('start', 'amavisd');
      const up = await alice.request('POST', `/messages/${id}/release`, {});
      expect(up.status).toBe(200);
      expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
    });
  });

  it('follows the release policy: banned mail is released by an admin, not by its recipient', async () => {
    const id = await seedId(server.context, 'banned');
    const res = await alice.request('POST', `/messages/${id}/release`, {});
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/request its release/);
  });

  it('does nothing without the CSRF token, or for a cross-site form', async () => {
    const { ids } = await fresh();
    const id = Object.values(ids)[0]!;
    const noToken = await alice.request('POST', `/messages/${id}/release`, {}, { 'X-CSRF-Token': '' });
    expect(noToken.status).toBe(403);
    const form = await fetch(`${server.url}/api/messages/${id}/release`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: alice.cookie ?? '', Origin: 'https://evil.example' },
      body: 'x=1',
    });
    expect(form.status).toBe(415);
    expect((await rowOf(id))?.rs).toBe('');
    expect(await auditOf(id)).toEqual([]);
  });

  it('deletes only that recipient\u2019s row', async () => {
    const { ids } = await fresh(['alice@example.test', 'bob@example.test']);
    const res = await alice.request('POST', `/messages/${ids['alice@example.test']}/delete`, {});
    expect(res.status).toBe(200);
    expect((await rowOf(ids['alice@example.test']!))?.rs).toBe('D');
    expect((await rowOf(ids['bob@example.test']!))?.rs).toBe('');
    expect((await alice.get(`/messages/${ids['alice@example.test']}`)).status).toBe(404);
  });
});
