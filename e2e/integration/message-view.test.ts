import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../shared/message';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { seedId } from '../support/seed-ids';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { amavisModels } from '../support/amavis-models';

describe('GET /api/messages/:id and /raw on the real quarantine', () => {
  let server: TestServer;
  let alice: ApiSession;
  let admin: ApiSession;

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    admin = await signedIn(server.url, USERS.admin.email, USERS.admin.password);
  });
  afterAll(() => server.close());

  async function view(session: ApiSession, id: string, query = ''): Promise<MessageDetail> {
    const res = await session.get(`/messages/${id}${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json() as Promise<MessageDetail>;
  }
  async function rsOf(id: string): Promise<string> {
    const ref = decodeMessageRef(id);
    const row = await amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref?.partitionTag, mail_id: ref?.mailId, rseqnum: ref?.rseqnum } });
    return row?.rs ?? 'missing';
  }
  async function storedBytes(id: string): Promise<Buffer> {
    const ref = decodeMessageRef(id);
    const chunks = await amavisModels(server.context).Quarantine.findAll({
      where: { partition_tag: ref?.partitionTag, mail_id: ref?.mailId },
      order: [['chunk_ind', 'ASC']],
    });
    return Buffer.concat(chunks.map((c) => c.mail_text));
  }

  it('opens the emoji-subject message', async () => {
    const detail = await view(alice, await seedId(server.context, 'utf8-subject'));
    expect(detail.headers.subject).toBe('Grüße aus Köln 🎉');
    expect(detail.item.subject).toContain('Grüße aus Köln 🎉');
    expect(detail.reason.type).toBe('spam');
    expect(detail.reason.spamTests.map((t) => t.name)).toContain('GTUBE');
    expect(detail.reason.spamScore).toBeGreaterThan(100);
  });

  it('opens the 2 MB message, reassembled from its chunks', async () => {
    const id = await seedId(server.context, 'big-spam');
    const detail = await view(alice, id);
    expect(detail.parseError).toBeNull();
    expect((detail.text ?? '').length + detail.attachments.reduce((n, a) => n + a.size, 0)).toBeGreaterThan(1_500_000);
  });

  it('downloads the raw message byte for byte as the chunks joined in order', async () => {
    for (const name of ['big-spam', 'utf8-subject', 'banned']) {
      const id = await seedId(server.context, name);
      const res = await alice.get(`/messages/${id}/raw`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('message/rfc822');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[A-Za-z0-9_-]+\.eml"$/);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(await storedBytes(id)), name).toBe(true);
    }
  });

  it('says why the EICAR and the banned messages were quarantined', async () => {
    const virus = await view(alice, await seedId(server.context, 'virus'));
    expect(virus.reason.type).toBe('virus');
    expect(virus.reason.alerts.join(' ')).toMatch(/INFECTED.*Eicar-Test-Signature/);
    const banned = await view(alice, await seedId(server.context, 'banned'));
    expect(banned.reason.type).toBe('banned');
    expect(banned.reason.alerts.join(' ')).toMatch(/BANNED.*invoice\.exe/);
    const exe = banned.attachments.find((a) => a.name === 'invoice.exe');
    expect(exe).toMatchObject({ disposition: 'attachment' });
    expect(exe?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(exe?.size).toBeGreaterThan(0);
  });

  it('shows the headers, the envelope sender, and the Received chain on request', async () => {
    const id = await seedId(server.context, 'spam-single');
    const detail = await view(alice, id);
    expect(detail.item.envelopeFrom).toBe('seed-sender@sender.example.net');
    expect(detail.headers.from).toContain('seed-sender@sender.example.net');
    expect(detail.senderMismatch).toBe(false);
    expect(detail.headers.received).toBeUndefined();
    const withReceived = await view(alice, id, '?received=1');
    expect(Array.isArray(withReceived.headers.received)).toBe(true);
  });

  it('marks a recipient\u2019s own message viewed, and leaves it when an admin looks', async () => {
    const ids = await sendThroughAmavis(server.context, { to: ['alice@example.test', 'bob@example.test'] });
    const bobs = ids['bob@example.test']!;
    const alices = ids['alice@example.test']!;
    expect(await rsOf(bobs)).toBe('');
    await view(admin, bobs);
    expect(await rsOf(bobs)).toBe('');
    const detail = await view(alice, alices);
    expect(detail.item.status).toBe('viewed');
    expect(await rsOf(alices)).toBe('V');
    expect(await rsOf(bobs)).toBe('');
  });

  it('refuses to parse above AQ_MAX_PARSE_BYTES, but still serves the raw message', async () => {
    const small = await startTestServer({ ...ROLE_ENV, AQ_MAX_PARSE_BYTES: '1000000' });
    try {
      const session = await signedIn(small.url, USERS.alice.email, USERS.alice.password);
      const id = await seedId(small.context, 'big-spam');
      const res = await session.get(`/messages/${id}`);
      const detail = (await res.json()) as MessageDetail;
      expect(detail.parseError).toBe('too_large');
      expect(detail.text).toBeNull();
      const raw = await session.get(`/messages/${id}/raw`);
      expect(raw.status).toBe(200);
      expect(Buffer.from(await raw.arrayBuffer()).length).toBeGreaterThan(2 * 1024 * 1024);
    } finally {
      await small.close();
    }
  });
});
