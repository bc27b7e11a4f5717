import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageType } from '../../shared/quarantine';
import type { StatsDay, StatsResponse } from '../../shared/stats';
import { typeOfContent } from '../../server/amavis/codes';
import { ApiSession, bodyOf, errorOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

const DAYS = 7;
// The rollup follows within an indexer turn or two; on a loaded machine a turn can take seconds.
const POLL = { timeout: 120_000, interval: 500 };
// Six mails through the real amavisd (SpamAssassin included) and two releases over AM.PDP: seconds idle, minutes loaded.
const SETUP_LIMIT_MS = 600_000;

type Counts = Pick<StatsDay, 'day' | 'quarantined' | 'total' | 'released' | 'requested' | 'deleted'>;

// The statistics against the real amavisd and database (MariaDB, or PostgreSQL with AQ_TEST_DB=postgres):
// mail sent through amavisd to alice, bob and carol, some of it released, requested and deleted through the
// API; then what GET /api/stats added since before the mail equals plain SQL counts over those very rows
// (msgs, msgrcpt, maddr), for a user, a domain and the site, every day of the period. Other test files leave
// their own rows (and the rollup counted those too), so the comparison is of this file's rows: the counts'
// change, day by day, against SQL over the rows of this file's own sender.
describe('statistics (GET /api/stats)', () => {
  let server: TestServer;
  let second: TestServer | undefined;
  let alice: ApiSession;
  let bob: ApiSession;
  let carol: ApiSession;
  let admin: ApiSession;
  let boss: ApiSession;
  const sender = `stats-${randomBytes(4).toString('hex')}@sender.example.net`;
  const before: Record<string, StatsResponse> = {};

  const stats = async (session: ApiSession, query: string) => {
    const res = await session.get(`/stats?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return bodyOf<StatsResponse>(res);
  };
  const scopes = () =>
    ({
      user: [alice, `scope=user&days=${DAYS}`],
      carol: [carol, `days=${DAYS}`],
      domain: [admin, `scope=domain&domain=example.test&days=${DAYS}`],
      site: [boss, `scope=site&days=${DAYS}`],
    }) as const;

  /** Takes indexer turns until one ran and nothing is left to count: the rollup then holds every earlier row and change. */
  async function settle() {
    const pending = async () =>
      Number((await server.context.sequelize.query<{ n: string }>('SELECT COUNT(*) AS n FROM aq_stats_pending', { type: QueryTypes.SELECT }))[0]?.n ?? 0);
    const deadline = Date.now() + POLL.timeout;
    while (!((await server.context.listIndexer.runOnce()) && (await pending()) === 0)) {
      if (Date.now() > deadline) throw new Error('the list indexer did not catch up');
      await new Promise((resolve) => setTimeout(resolve, POLL.interval));
    }
  }

  beforeAll(async () => {
    // Two instances whose indexers take turns every 50 ms, racing for the advisory lock (and, on MariaDB,
    // through the gap between one's RELEASE_LOCK and its COMMIT): each copy and each change still counts once.
    server = await startTestServer({ ...ROLE_ENV, AQ_LIST_INDEX_INTERVAL_MS: '50' });
    second = await startTestServer({ ...ROLE_ENV, AQ_LIST_INDEX_INTERVAL_MS: '50' });
    const as = (user: { email: string; password: string }) => signedIn(server.url, user.email, user.password);
    [alice, bob, carol, admin, boss] = [await as(USERS.alice), await as(USERS.bob), await as(USERS.carol), await as(USERS.admin), await as(USERS.super)];
    await settle();
    for (const [name, [session, query]] of Object.entries(scopes())) before[name] = await stats(session, query);

    // Spam to all three, spam to alice and bob, a banned attachment to alice and carol.
    const spamAll = await sendThroughAmavis(server.context, { from: sender, to: [USERS.alice.email, USERS.bob.email, USERS.carol.email], body: `Hello.\n\n${GTUBE}\n` });
    const spamTwo = await sendThroughAmavis(server.context, { from: sender, to: [USERS.alice.email, USERS.bob.email], body: `Again.\n\n${GTUBE}\n` });
    const banned = await sendThroughAmavis(server.context, {
      from: sender,
      to: [USERS.alice.email, USERS.carol.email],
      body: 'Please pay the attached invoice.\n',
      attachment: { name: 'invoice.exe', content: 'MZ not really a program' },
    });
    const act = async (session: ApiSession, path: string, status: number) => {
      const res = await session.request('POST', path, {});
      expect(res.status, await res.clone().text()).toBe(status);
    };
    await act(alice, `/messages/${spamAll[USERS.alice.email]}/release`, 200);
    await act(bob, `/messages/${spamAll[USERS.bob.email]}/delete`, 200);
    await act(alice, `/messages/${banned[USERS.alice.email]}/request-release`, 201);
    await act(carol, `/messages/${banned[USERS.carol.email]}/delete`, 200);
    await act(admin, `/messages/${spamTwo[USERS.bob.email]}/release`, 200);
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await second?.close();
    await server.close();
  });

  /** Plain SQL over this file's rows (held copies only, as amavisd stored them), per UTC day, in one scope. */
  async function expectedFor(scope: 'user' | 'carol' | 'domain' | 'site'): Promise<Map<string, Counts>> {
    const where = scope === 'user' ? ' AND r.email = :alice' : scope === 'carol' ? ' AND r.email = :carol' : scope === 'domain' ? " AND r.domain = 'test.example'" : '';
    const rows = await server.context.sequelize.query<{ day: string | number; content: string; n: string; released: string; requested: string; deleted: string }>(
      `SELECT FLOOR(m.time_num / 86400) AS day, COALESCE(NULLIF(TRIM(mr.content), ''), m.content) AS content, COUNT(*) AS n,
          SUM(CASE WHEN mr.rs = 'R' THEN 1 ELSE 0 END) AS released, SUM(CASE WHEN mr.rs = 'p' THEN 1 ELSE 0 END) AS requested,
          SUM(CASE WHEN mr.rs = 'D' THEN 1 ELSE 0 END) AS deleted
        FROM msgs m
        JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
        JOIN maddr r ON r.id = mr.rid
        JOIN maddr s ON s.id = m.sid
        WHERE s.email = :sender AND m.quar_type = 'Q' AND m.content IS NOT NULL AND COALESCE(mr.content, '') <> 'C'${where}
        GROUP BY FLOOR(m.time_num / 86400), COALESCE(NULLIF(TRIM(mr.content), ''), m.content)`,
      { type: QueryTypes.SELECT, replacements: { sender: Buffer.from(sender), alice: Buffer.from(USERS.alice.email), carol: Buffer.from(USERS.carol.email) } },
    );
    const days = new Map<string, Counts>();
    for (const row of rows) {
      const day = new Date(Number(row.day) * 86_400_000).toISOString().slice(0, 10);
      const counts = days.get(day) ?? { day, quarantined: {}, total: 0, released: 0, requested: 0, deleted: 0 };
      const type = typeOfContent(row.content) as MessageType;
      counts.quarantined[type] = (counts.quarantined[type] ?? 0) + Number(row.n);
      counts.total += Number(row.n);
      counts.released += Number(row.released);
      counts.requested += Number(row.requested);
      counts.deleted += Number(row.deleted);
      days.set(day, counts);
    }
    return days;
  }

  /** What the statistics added since before this file's mail, day by day over the whole period. */
  function added(now: StatsResponse, then: StatsResponse): Counts[] {
    return now.days.map((day) => {
      const was = then.days.find((d) => d.day === day.day);
      const quarantined: Partial<Record<MessageType, number>> = {};
      for (const type of new Set([...Object.keys(day.quarantined), ...Object.keys(was?.quarantined ?? {})]) as Set<MessageType>) {
        const n = (day.quarantined[type] ?? 0) - (was?.quarantined[type] ?? 0);
        if (n !== 0) quarantined[type] = n;
      }
      const minus = (key: 'total' | 'released' | 'requested' | 'deleted') => day[key] - (was?.[key] ?? 0);
      return { day: day.day, quarantined, total: minus('total'), released: minus('released'), requested: minus('requested'), deleted: minus('deleted') };
    });
  }

  it.each(['user', 'carol', 'domain', 'site'] as const)('the %s statistics grew by exactly the SQL counts of the new rows, every day of the period', async (scope) => {
    const expected = await expectedFor(scope);
    // The SQL side is what the scenario says it is: the rows are real, and acted on.
    const all = [...expected.values()];
    expect(all.reduce((n, d) => n + d.total, 0)).toBe({ user: 3, carol: 2, domain: 5, site: 7 }[scope]);
    expect(all.reduce((n, d) => n + d.released + d.requested + d.deleted, 0)).toBe({ user: 2, carol: 1, domain: 4, site: 5 }[scope]);
    const [session, query] = scopes()[scope];
    const want = (days: StatsDay[]) => days.map((d) => expected.get(d.day) ?? { day: d.day, quarantined: {}, total: 0, released: 0, requested: 0, deleted: 0 });
    const first = await stats(session, query);
    expect(first.days).toHaveLength(DAYS);
    await expect.poll(async () => added(await stats(session, query), before[scope]!), POLL).toEqual(want(first.days));
    const now = await stats(session, query);
    expect(now.totals.quarantined).toBe(now.days.reduce((n, d) => n + d.total, 0));
    expect(now.rates.released).toBeCloseTo(now.totals.quarantined ? now.totals.released / now.totals.quarantined : 0, 3);
    expect(Date.parse(now.upTo)).toBeGreaterThan(0);
  });

  it('gives admins the top senders and recipients, each count what SQL counts over the listed copies', async () => {
    for (const [session, query, domain] of [
      [admin, `scope=domain&days=${DAYS}`, 'test.example'],
      [boss, `scope=site&days=${DAYS}`, undefined],
    ] as const) {
      const body = await stats(session, query);
      if (domain) expect(body.domain).toBe('example.test');
      expect(body.topSenders?.length).toBeGreaterThan(0);
      expect(body.topRecipients?.length).toBeGreaterThan(0);
      const sorted = (list: Array<{ count: number }>) => list.every((t, i) => i === 0 || list[i - 1]!.count >= t.count);
      expect(sorted(body.topSenders!) && sorted(body.topRecipients!)).toBe(true);
      const from = (Math.floor(Date.now() / 86_400_000) - DAYS + 1) * 86_400;
      const count = async (column: 's' | 'r', address: string) => {
        const [row] = await server.context.sequelize.query<{ n: string }>(
          `SELECT COUNT(*) AS n FROM msgs m
            JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
            JOIN maddr r ON r.id = mr.rid JOIN maddr s ON s.id = m.sid
            WHERE ${column}.email = :address AND m.time_num >= :from AND m.quar_type = 'Q' AND m.content IS NOT NULL
              AND COALESCE(mr.content, '') <> 'C' AND mr.rs <> 'D'${domain ? ' AND r.domain = :domain' : ''}`,
          { type: QueryTypes.SELECT, replacements: { address: Buffer.from(address), from, domain } },
        );
        return Number(row?.n);
      };
      // Only while the sample holds every listed copy of the period are the lists exact.
      if (body.topBasis!.copies < body.topBasis!.limit) {
        for (const top of body.topSenders!) expect({ top, sql: await count('s', top.address) }).toEqual({ top, sql: top.count });
        for (const top of body.topRecipients!) expect({ top, sql: await count('r', top.address) }).toEqual({ top, sql: top.count });
      }
      // A user's own statistics carry no top lists.
      expect((await stats(alice, `scope=user&days=${DAYS}`)).topSenders).toBeUndefined();
    }
  });

  it('refuses what the user may not see, with stable codes, and bounds the period', async () => {
    const refused = async (session: ApiSession, query: string, status: number, code: string) => {
      const res = await session.get(`/stats?${query}`);
      expect({ query, status: res.status, code: (await errorOf(res)).code }).toEqual({ query, status, code });
    };
    await refused(alice, 'scope=domain&days=7', 403, 'forbidden');
    await refused(alice, 'scope=domain&domain=example.test&days=7', 403, 'forbidden');
    await refused(alice, 'scope=site&days=7', 403, 'forbidden');
    await refused(admin, 'scope=domain&domain=other.test&days=7', 403, 'forbidden');
    await refused(admin, 'scope=site&days=7', 403, 'forbidden');
    await refused(boss, 'scope=domain&days=7', 400, 'validation_failed');
    await refused(alice, 'scope=user&days=0', 400, 'validation_failed');
    await refused(alice, 'scope=user&days=91', 400, 'validation_failed');
    await refused(alice, 'scope=everyone', 400, 'validation_failed');
    expect((await new ApiSession(server.url).get('/stats')).status).toBe(401);
    // The bounds themselves are allowed: one day, and 90.
    expect((await stats(carol, 'scope=user&days=1')).days).toHaveLength(1);
    expect((await stats(bob, 'days=90')).days).toHaveLength(90);
  });
});
