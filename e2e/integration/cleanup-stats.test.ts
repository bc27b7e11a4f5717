import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../shared/stats';
import { createCleanupStore } from '../../server/amavis/cleanup-sql';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { main as cleanupMain } from '../../server/cli/cleanup';
import { createCleanup, type CleanupReport } from '../../server/services/cleanup';
import { statsKeptFromDay } from '../../server/services/cleanup-stats';
import { MAX_STATS_DAYS } from '../../server/services/stats';
import { type ApiSession, bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { serverEnv } from '../support/stack';

// The rollup follows within an indexer turn or two; on a loaded machine a turn can take seconds.
const POLL = { timeout: 120_000, interval: 500 };
// Two mails through the real amavisd (SpamAssassin included): seconds idle, minutes loaded.
const SETUP_LIMIT_MS = 600_000;
// A whole cleanup run (every step, on whatever the other files left in the database) takes seconds idle, more loaded.
const CLEANUP_LIMIT_MS = 300_000;

type StatsRow = { kind: string; scope: string; day_num: number; content: string; quarantined: number; released: number; requested: number; deleted: number };

// `npm run cleanup` against the real database (MariaDB, or PostgreSQL with AQ_TEST_DB=postgres) deletes the
// statistics rollup's days older than any period GET /api/stats shows (90 days, plus a week's margin), and
// nothing else of it: the current rows are the indexer's own, counted from mail sent through the real
// amavisd, and every statistic the API answers is the same before and after.
describe('npm run cleanup prunes old statistics', () => {
  let server: TestServer;
  let alice: ApiSession;
  let admin: ApiSession;
  let boss: ApiSession;
  const tag = randomBytes(4).toString('hex');
  const now = new Date();
  const keptFrom = statsKeptFromDay(now);
  let aliceRid: string;
  let mailDay: number;
  // The old rows this file writes (scope, day, content), and the one row per scope on the first kept day.
  const old: Array<Pick<StatsRow, 'kind' | 'scope' | 'day_num' | 'content'>> = [];
  const margin: typeof old = [];

  const q = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) =>
    server.context.sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
  const exec = (sql: string, replacements: Record<string, unknown> = {}) => server.context.sequelize.query(sql, { replacements });
  const rollup = async (where: string, replacements: Record<string, unknown> = {}) =>
    (
      await q<StatsRow>(
        `SELECT kind, scope, day_num, content, quarantined, released, requested, deleted FROM aq_stats WHERE ${where} ORDER BY kind, scope, day_num, content`,
        replacements,
      )
    ).map((r) => ({
      ...r,
      day_num: Number(r.day_num),
      quarantined: Number(r.quarantined),
      released: Number(r.released),
      requested: Number(r.requested),
      deleted: Number(r.deleted),
    }));
  const has = async (row: (typeof old)[number]) => (await rollup('kind = :kind AND scope = :scope AND day_num = :day_num AND content = :content', row)).length === 1;
  const stats = async (session: ApiSession, query: string) => {
    const res = await session.get(`/stats?${query}&days=${MAX_STATS_DAYS}`);
    expect(res.status, await res.clone().text()).toBe(200);
    // What the rollup answers: the days, totals and rates. upTo moves with the indexer; the top lists are not
    // the rollup's (they count the list index's rows, which the cleanup's other steps may leave stale).
    const { upTo: _upTo, topSenders: _senders, topRecipients: _recipients, topBasis: _basis, ...rollupPart } = await bodyOf<StatsResponse>(res);
    return rollupPart;
  };
  const everyStats = async () => ({
    user: await stats(alice, 'scope=user'),
    domain: await stats(admin, 'scope=domain&domain=example.test'),
    site: await stats(boss, 'scope=site'),
  });

  beforeAll(async () => {
    // No background indexer: the test takes its turns itself, so nothing changes the rollup between its reads.
    server = await startTestServer({ ...ROLE_ENV, AQ_LIST_INDEX_INTERVAL_MS: '0' });
    const as = (user: { email: string; password: string }) => signedIn(server.url, user.email, user.password);
    [alice, admin, boss] = [await as(USERS.alice), await as(USERS.admin), await as(USERS.super)];

    // Real rows, written by the indexer from mail amavisd stored: alice's and bob's copies of a spam.
    const ids = await sendThroughAmavis(server.context, {
      from: `cleanup-stats-${tag}@sender.example.net`,
      to: [USERS.alice.email, USERS.bob.email],
      body: `Hi.\n\n${GTUBE}\n`,
    });
    const ref = decodeMessageRef(ids[USERS.alice.email]!)!;
    const key = { p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum };
    aliceRid = String((await q<{ rid: string }>('SELECT rid FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m AND rseqnum = :r', key))[0]!.rid);
    mailDay = Math.floor(Number((await q<{ t: number }>('SELECT time_num AS t FROM msgs WHERE partition_tag = :p AND mail_id = :m', key))[0]!.t) / 86_400);
    // Indexer turns until nothing is left to count and alice's row of the mail's day is there (expect.poll is for tests only).
    const counted = async () => {
      await server.context.listIndexer.runOnce();
      const pending = Number((await q<{ n: string }>('SELECT COUNT(*) AS n FROM aq_stats_pending'))[0]?.n ?? 0);
      return pending === 0 && (await rollup("kind = 'r' AND scope = :rid AND day_num = :day", { rid: aliceRid, day: mailDay })).length > 0;
    };
    for (const deadline = Date.now() + POLL.timeout; !(await counted());) {
      if (Date.now() > deadline) throw new Error('the list indexer did not count the mail');
      await new Promise((resolve) => setTimeout(resolve, POLL.interval));
    }

    // Old rows cannot come from amavisd: it stores mail as it arrives, and no mail arrives last year. So they
    // are written here, straight into the rollup, in the scopes the indexer writes: alice's, her domain's,
    // the site's, and a recipient nobody is any more. One scope has more old rows than a batch.
    const scopes = [
      { kind: 'r', scope: aliceRid },
      { kind: 'd', scope: 'test.example' },
      { kind: 's', scope: '' },
      { kind: 'r', scope: `9${String(Date.now()).slice(-9)}` },
    ];
    for (const [i, s] of scopes.entries()) {
      for (const days of i === 2 ? [1, 2, 3, 30, 200, 400] : [1, 365]) old.push({ ...s, day_num: keptFrom - days, content: 'S' });
      if (i === 2) old.push({ ...s, day_num: keptFrom - 1, content: 'V' }, { ...s, day_num: keptFrom - 1, content: 'B' });
      margin.push({ ...s, day_num: keptFrom, content: 'S' });
    }
    for (const row of [...old, ...margin]) {
      await exec('DELETE FROM aq_stats WHERE kind = :kind AND scope = :scope AND day_num = :day_num AND content = :content', row);
      await exec(
        'INSERT INTO aq_stats (kind, scope, day_num, content, quarantined, released, requested, deleted) VALUES (:kind, :scope, :day_num, :content, 7, 1, 1, 2)',
        row,
      );
    }
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    if (margin.length)
      for (const row of margin) await exec('DELETE FROM aq_stats WHERE kind = :kind AND scope = :scope AND day_num = :day_num AND content = :content', row);
    await server?.close();
  });

  it(
    'keeps what the API can show and a week more, and deletes the older days in batches; GET /api/stats answers the same',
    async () => {
      // The margin: the oldest day a 90-day period shows is a week after the first day the cleanup keeps.
      expect(Math.floor(now.getTime() / 86_400_000) - MAX_STATS_DAYS + 1 - keptFrom).toBe(7);
      const statsBefore = await everyStats();
      // The indexer counted this file's mail: alice's user statistics show it on its day.
      const day = new Date(mailDay * 86_400_000).toISOString().slice(0, 10);
      expect(statsBefore.user.days.find((d) => d.day === day)?.quarantined.spam).toBeGreaterThanOrEqual(1);
      const current = await rollup('day_num >= :keptFrom', { keptFrom });
      expect(current.some((r) => r.kind === 'r' && r.scope === aliceRid && r.day_num === mailDay)).toBe(true);

      const cleanup = createCleanup(
        { store: createCleanupStore(server.context.sequelize), auditLog: server.context.auditLog },
        { retentionDays: 14, auditRetentionDays: 365, settleTimeoutMs: 3000 },
      );
      const dry: CleanupReport = await cleanup.run({ dryRun: true, now, batchSize: 3 });
      expect(dry.statsBefore).toBe(new Date(keptFrom * 86_400_000).toISOString().slice(0, 10));
      expect(dry.stats.rows).toBeGreaterThanOrEqual(old.length);
      expect(dry.stats.scopes).toBeGreaterThanOrEqual(4);
      for (const row of old) expect(await has(row)).toBe(true);

      const report = await cleanup.run({ dryRun: false, now, batchSize: 3 });
      expect(report.stats.rows).toBe(dry.stats.rows);
      expect(report.stats.scopes).toBe(dry.stats.scopes);
      expect(await rollup('day_num < :keptFrom', { keptFrom })).toEqual([]);
      for (const row of margin) expect(await has(row)).toBe(true);
      // Every current row as it was, counters included.
      expect(await rollup('day_num >= :keptFrom', { keptFrom })).toEqual(current);
      expect(await everyStats()).toEqual(statsBefore);

      // Nothing old is left: a second run deletes nothing.
      expect((await cleanup.run({ dryRun: false, now, batchSize: 3 })).stats).toEqual({ rows: 0, scopes: 0 });
    },
    CLEANUP_LIMIT_MS,
  );

  it(
    'the CLI says what it deletes (or would), and --json has the counts',
    async () => {
      for (const row of old.slice(0, 2)) {
        await exec(
          'INSERT INTO aq_stats (kind, scope, day_num, content, quarantined, released, requested, deleted) VALUES (:kind, :scope, :day_num, :content, 7, 1, 1, 2)',
          row,
        );
      }
      let out = '';
      const output = { out: (t: string) => (out += `${t}\n`), err: (t: string) => (out += `${t}\n`) };
      expect(await cleanupMain(['--dry-run'], serverEnv(ROLE_ENV), output)).toBe(0);
      const line = /statistics rows of days before (\d{4}-\d\d-\d\d): would delete (\d+) \(of (\d+) recipients, domains and the site\)/.exec(out);
      expect(line, out).not.toBeNull();
      expect(line![1]).toBe(new Date(keptFrom * 86_400_000).toISOString().slice(0, 10));
      expect(Number(line![2])).toBeGreaterThanOrEqual(2);
      expect(Number(line![3])).toBeGreaterThanOrEqual(1);
      out = '';
      expect(await cleanupMain(['--json'], serverEnv(ROLE_ENV), output)).toBe(0);
      const report = JSON.parse(out) as CleanupReport;
      expect(report.stats.rows).toBeGreaterThanOrEqual(2);
      for (const row of old.slice(0, 2)) expect(await has(row)).toBe(false);
    },
    CLEANUP_LIMIT_MS,
  );
});
