import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantineItem, QuarantineListResponse } from '../../shared/quarantine';
import { createQuarantineLister, type ListScope } from '../../server/amavis/listing';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { seedIds } from '../support/seed-ids';
import { startTestServer, type TestServer } from '../support/server';
import { seedManifest } from '../support/stack';

// Listing against the seed mail that went through the real amavisd (several seed runs may be stored).
describe('GET /api/messages', () => {
  let server: TestServer;
  const sessions: Record<string, ApiSession> = {};
  const { runId, mails } = seedManifest();

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    for (const [name, user] of Object.entries(USERS)) sessions[name] = await signedIn(server.url, user.email, user.password);
  });
  afterAll(() => server.close());

  async function list(who: string, query = ''): Promise<QuarantineListResponse> {
    const res = await sessions[who]!.get(`/messages${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return bodyOf<QuarantineListResponse>(res);
  }
  /** Every item of this seed run a user can see, following the cursor. */
  async function listAll(who: string, query = ''): Promise<QuarantineItem[]> {
    const items: QuarantineItem[] = [];
    let cursor: string | null = null;
    do {
      const page: QuarantineListResponse = await list(who, `?q=${runId}&limit=3${query}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  it('shows alice her row of the multi-recipient spam, not bob\u2019s, and bob his', async () => {
    const ids = await seedIds(server.context, 'spam-multi');
    const alice = await listAll('alice');
    const bob = await listAll('bob');
    expect(alice.map((i) => i.id)).toContain(ids['alice@example.test']);
    expect(alice.map((i) => i.id)).not.toContain(ids['bob@example.test']);
    expect(bob.map((i) => i.id)).toContain(ids['bob@example.test']);
    expect(bob.map((i) => i.id)).not.toContain(ids['alice@example.test']);
    expect(new Set(alice.map((i) => i.recipient))).toEqual(new Set(['alice@example.test']));
    expect(new Set(bob.map((i) => i.recipient))).toEqual(new Set(['bob@example.test']));
  });

  it('shows the super user both rows, and everything', async () => {
    const ids = await seedIds(server.context, 'spam-multi');
    const all = await listAll('super');
    expect(all.map((i) => i.id)).toEqual(expect.arrayContaining([ids['alice@example.test'], ids['bob@example.test']]));
    expect(new Set(all.map((i) => i.recipient))).toEqual(new Set(['alice@example.test', 'bob@example.test', 'carol@other.test']));
    // The search is by run id, which every seed subject carries except the UTF-8 one.
    const quarantined = Object.values(mails).reduce((n, m) => n + (m.expect === 'C' || !m.subject.includes(runId) ? 0 : m.to.length), 0);
    expect(all).toHaveLength(quarantined);
  });

  it('shows a domain admin only their domain', async () => {
    const domain = await listAll('admin');
    expect(new Set(domain.map((i) => i.recipient))).toEqual(new Set(['alice@example.test', 'bob@example.test']));
    const carol = await listAll('carol');
    expect(new Set(carol.map((i) => i.recipient))).toEqual(new Set(['carol@other.test']));
  });

  it('describes each item', async () => {
    const [item] = (await list('alice', `?q=${encodeURIComponent(mails.banned!.subject)}`)).items;
    expect(item).toMatchObject({
      envelopeFrom: mails.banned!.from,
      recipient: 'alice@example.test',
      subject: mails.banned!.subject,
      type: 'banned',
      purgeInDays: 14,
    });
    expect(item!.status).toMatch(/^(new|viewed)$/);
    expect(item!.headerFrom).toContain(mails.banned!.from);
    expect(Date.parse(item!.receivedAt)).toBeGreaterThan(Date.now() - 86_400_000);
    expect(item!.size).toBeGreaterThan(0);
  });

  it('filters by type, search, sender and recipient, and sorts by score', async () => {
    expect(new Set((await listAll('alice', '&type=virus')).map((i) => i.type))).toEqual(new Set(['virus']));
    expect(new Set((await listAll('super', '&type=banned,bad-header')).map((i) => i.type))).toEqual(new Set(['banned', 'bad-header']));
    // A case-insensitive search through the binary subject column finds the seed's UTF-8 subject (other
    // tests may have sent more mail that matches, so it is looked for among the matches).
    const utf8 = await list('alice', `?q=${encodeURIComponent('köln')}`);
    expect(utf8.items.map((i) => i.subject)).toContain('Grüße aus Köln 🎉');
    expect(utf8.items.every((i) => /köln/i.test(i.subject))).toBe(true);
    expect((await listAll('super', '&to=carol')).every((i) => i.recipient === 'carol@other.test')).toBe(true);
    expect((await listAll('alice', '&from=seed-sender')).length).toBeGreaterThan(0);
    expect(await listAll('alice', '&from=nobody-sends-this')).toEqual([]);
    const byScore = await listAll('alice', '&sort=score');
    const scores = byScore.map((i) => i.spamLevel ?? -9999);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('pages with a keyset cursor, without repeats or gaps', async () => {
    const paged = await listAll('super');
    const whole = (await list('super', `?q=${runId}&limit=100`)).items;
    expect(paged.map((i) => i.id)).toEqual(whole.map((i) => i.id));
    expect(new Set(paged.map((i) => i.id)).size).toBe(paged.length);
    const times = whole.map((i) => Date.parse(i.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('counts on request, up to a cap', async () => {
    const res = await list('alice', `?q=${runId}&count=true&limit=1`);
    expect(res.count).toEqual({ value: (await listAll('alice')).length, capped: false });
    expect(res.items).toHaveLength(1);
  });

  it('refuses bad input with 400 and a stable code', async () => {
    for (const query of ['?limit=1000', '?type=ham', '?cursor=bogus!', '?since=yesterday', '?sort=size']) {
      const res = await sessions.alice!.get(`/messages${query}`);
      expect(res.status, query).toBe(400);
      expect((await errorOf(res)).code).toBe('validation_failed');
    }
    const dateCursor = (await list('alice', '?limit=1')).nextCursor;
    const mixed = await sessions.alice!.get(`/messages?sort=score&cursor=${dateCursor}`);
    expect(mixed.status).toBe(400);
  });

  it('lets only admins list deleted rows', async () => {
    const user = await sessions.alice!.get('/messages?status=deleted');
    expect(user.status).toBe(403);
    expect((await sessions.admin!.get('/messages?status=deleted')).status).toBe(200);
  });

  it('lists the same pages whichever plan serves them', async () => {
    // The thresholds force each plan over amavis's tables on the seed data; every page, cursor included,
    // must be identical. The list index lists the same rows in the same time order (ties between copies
    // of one second may come in another order: its tie-breaker is its own id).
    const plans = {
      recipient: createQuarantineLister(server.context.sequelize, { keysFirstFrom: 1e9, timeFrom: 1e9, useIndex: false }),
      keysFirst: createQuarantineLister(server.context.sequelize, { keysFirstFrom: 1, timeFrom: 1e9, useIndex: false }),
      time: createQuarantineLister(server.context.sequelize, { keysFirstFrom: 1, timeFrom: 1, useIndex: false }),
    };
    const index = createQuarantineLister(server.context.sequelize);
    // Tests before this one age messages by hand (UPDATE msgs SET time_num); the indexer's check follows.
    while (!(await server.context.listIndexer.runOnce())) await new Promise((resolve) => setTimeout(resolve, 100));
    const scopes: ListScope[] = [
      { kind: 'addresses', addresses: ['alice@example.test'] },
      { kind: 'domains', domains: ['example.test'] },
    ];
    for (const scope of scopes) {
      const pages: Record<string, string[][]> = {};
      for (const [name, lister] of Object.entries(plans)) {
        pages[name] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 6; i++) {
          const page = await lister.list(scope, { limit: 4, cursor });
          pages[name].push(page.rows.map((r) => `${String(r.mail_id)}#${r.rseqnum}`));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
      }
      expect(pages.keysFirst, scope.kind).toEqual(pages.recipient);
      expect(pages.time, scope.kind).toEqual(pages.recipient);
      expect(pages.recipient!.flat().length).toBeGreaterThan(8);
      const everything = async (lister: typeof index) => {
        const rows: Array<{ key: string; time: number }> = [];
        let cursor: string | undefined;
        do {
          const page = await lister.list(scope, { limit: 4, cursor });
          rows.push(...page.rows.map((r) => ({ key: `${String(r.mail_id)}#${r.rseqnum}`, time: Number(r.time_num) })));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return rows;
      };
      const [fromIndex, fromTables] = [await everything(index), await everything(plans.recipient)];
      expect(fromIndex.map((r) => r.key).sort(), scope.kind).toEqual(fromTables.map((r) => r.key).sort());
      expect(
        fromIndex.map((r) => r.time),
        scope.kind,
      ).toEqual(fromTables.map((r) => r.time));
    }
  });

  it('needs a session', async () => {
    const res = await fetch(`${server.url}/api/messages`);
    expect(res.status).toBe(401);
  });
});
